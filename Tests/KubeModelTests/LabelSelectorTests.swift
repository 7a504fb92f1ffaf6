import KubeModel
import Testing

/// Label selector matching: `matchLabels` and every `matchExpressions` requirement must hold.
struct LabelSelectorTests {
    static let labels = ["app": "web", "tier": "front", "env": "prod"]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var selector: LabelSelector
        var matches: Bool
        var testDescription: String { name }
    }

    static func requirement(_ key: String, _ op: String, _ values: [String]? = nil) -> LabelSelectorRequirement {
        LabelSelectorRequirement(key: key, operator: op, values: values)
    }

    static let cases: [Case] = [
        Case(name: "empty selector selects everything", selector: LabelSelector(), matches: true),
        Case(name: "matchLabels subset", selector: LabelSelector(matchLabels: ["app": "web"]), matches: true),
        Case(name: "matchLabels all", selector: LabelSelector(matchLabels: labels), matches: true),
        Case(name: "matchLabels wrong value", selector: LabelSelector(matchLabels: ["app": "api"]), matches: false),
        Case(name: "matchLabels missing key", selector: LabelSelector(matchLabels: ["team": "a"]), matches: false),
        Case(name: "In", selector: LabelSelector(matchExpressions: [requirement("env", "In", ["prod", "staging"])]), matches: true),
        Case(name: "In without the value", selector: LabelSelector(matchExpressions: [requirement("env", "In", ["dev"])]), matches: false),
        Case(name: "In on a missing key", selector: LabelSelector(matchExpressions: [requirement("team", "In", ["a"])]), matches: false),
        Case(name: "NotIn", selector: LabelSelector(matchExpressions: [requirement("env", "NotIn", ["dev"])]), matches: true),
        Case(
            name: "NotIn with the value", selector: LabelSelector(matchExpressions: [requirement("env", "NotIn", ["prod"])]), matches: false
        ),
        Case(
            name: "NotIn on a missing key", selector: LabelSelector(matchExpressions: [requirement("team", "NotIn", ["a"])]), matches: true),
        Case(name: "Exists", selector: LabelSelector(matchExpressions: [requirement("tier", "Exists")]), matches: true),
        Case(name: "Exists on a missing key", selector: LabelSelector(matchExpressions: [requirement("team", "Exists")]), matches: false),
        Case(name: "DoesNotExist", selector: LabelSelector(matchExpressions: [requirement("team", "DoesNotExist")]), matches: true),
        Case(
            name: "DoesNotExist on a present key", selector: LabelSelector(matchExpressions: [requirement("app", "DoesNotExist")]),
            matches: false),
        Case(
            name: "unknown operator never matches", selector: LabelSelector(matchExpressions: [requirement("app", "Equals", ["web"])]),
            matches: false),
        Case(
            name: "matchLabels and expressions are ANDed",
            selector: LabelSelector(matchLabels: ["app": "web"], matchExpressions: [requirement("env", "In", ["dev"])]), matches: false),
        Case(
            name: "every expression must hold",
            selector: LabelSelector(matchExpressions: [requirement("app", "Exists"), requirement("tier", "NotIn", ["back"])]), matches: true
        ),
    ]

    @Test("selector matching", arguments: cases)
    func matching(_ item: Case) {
        #expect(item.selector.matches(Self.labels) == item.matches)
    }

    @Test("an object without labels matches only selectors that need no label")
    func noLabels() {
        #expect(LabelSelector().matches(nil))
        #expect(LabelSelector(matchExpressions: [Self.requirement("app", "DoesNotExist")]).matches(nil))
        #expect(!LabelSelector(matchLabels: ["app": "web"]).matches(nil))
        #expect(LabelSelector().isEmpty)
        #expect(!LabelSelector(matchLabels: ["app": "web"]).isEmpty)
    }
}

import KubeModel

/// Decides which Ingresses this controller serves, as DESIGN.md §5 describes:
/// `spec.ingressClassName` (or the legacy `kubernetes.io/ingress.class` annotation) naming a class in
/// `--ingress-class` or an IngressClass whose `spec.controller` is ours; class-less Ingresses when one of our
/// IngressClasses is the default class, or with `--watch-ingress-without-class`.
public struct IngressClassFilter: Sendable {
    /// The legacy class annotation.
    public static let legacyAnnotation = "kubernetes.io/ingress.class"

    /// Names of classes we serve (flags plus IngressClasses naming our controller).
    public let servedClassNames: Set<String>
    /// Whether class-less Ingresses are ours.
    public let servesClassless: Bool
    /// The default IngressClass of the cluster, when one is marked (ours or not).
    public let defaultClassName: String?

    /// Builds the filter from the IngressClasses in the state and the options.
    public init(state: ClusterState, options: RoutingOptions) {
        var names = options.ingressClasses
        var ourDefault = false
        var defaultName: String?
        for (name, ingressClass) in state.ingressClasses.sorted(by: { $0.key < $1.key }) {
            let ours = ingressClass.spec?.controller == options.controllerClass
            if ours { names.insert(name) }
            if ingressClass.isDefaultClass {
                defaultName = defaultName ?? name
                if ours { ourDefault = true }
            }
        }
        servedClassNames = names
        servesClassless = options.watchIngressWithoutClass || ourDefault
        defaultClassName = defaultName
    }

    /// The class an Ingress asks for: `spec.ingressClassName`, else the legacy annotation, else nil.
    public static func requestedClass(of ingress: Ingress) -> String? {
        if let name = ingress.spec?.ingressClassName, !name.isEmpty { return name }
        if let name = ingress.metadata.annotation(legacyAnnotation), !name.isEmpty { return name }
        return nil
    }

    /// Whether we serve the Ingress, and a sentence saying why (or why not).
    public func decide(_ ingress: Ingress) -> (served: Bool, reason: String) {
        if let name = Self.requestedClass(of: ingress) {
            if servedClassNames.contains(name) { return (true, "class \"\(name)\" is served by this controller") }
            return (false, "class \"\(name)\" belongs to another controller")
        }
        if servesClassless {
            return (true, "no class set; this controller serves Ingresses without a class")
        }
        if let defaultClassName {
            return (false, "no class set; the default class \"\(defaultClassName)\" belongs to another controller")
        }
        return (
            false,
            "no class set and no default IngressClass; set spec.ingressClassName or run with --watch-ingress-without-class"
        )
    }
}

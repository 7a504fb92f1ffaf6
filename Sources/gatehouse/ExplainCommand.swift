import ArgumentParser
import ControlPlane
import Gatehouse
import Routing

/// `gatehouse explain`: the tutorial's five steps for one request, drawn from the manifests.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trace one request: entry, controller and IngressClass, rule (and the rules that lost), Service, endpoints, TLS.")

    @OptionGroup var routing: RoutingFlags

    @OptionGroup var controller: ControllerFlags

    @Option(name: .customLong("http-port"), help: "The plain HTTP listener's port.")
    var httpPort = 8080

    @Option(name: .customLong("https-port"), help: "The HTTPS listener's port.")
    var httpsPort = 8443

    @Option(name: .customLong("output"), help: "text or json.")
    var output: OutputFormat = .text

    @Argument(help: "The request's URL, e.g. https://api.example.com/users (may also follow the --manifests paths).")
    var url: String?

    func run() throws {
        var manifests = routing.manifests
        var target = url
        if target == nil, let last = manifests.last, last.contains("://") {
            target = last
            manifests.removeLast()
        }
        guard let target else { throw ValidationError("missing the URL to explain, e.g. https://api.example.com/users") }
        guard !manifests.isEmpty else { throw ValidationError("--manifests needs at least one file or directory") }
        let (_, state) = FileProvider.load(paths: manifests)
        let options = ExplainOptions(
            routing: routing.options, controller: controller.identity(in: state), httpPort: httpPort, httpsPort: httpsPort)
        let explanation: Explanation
        do {
            explanation = try Diagnostics.explain(state: state, options: options, url: target, now: currentEpochSeconds())
        } catch {
            throw ValidationError(error.message)
        }
        print(output == .json ? Diagnostics.json(explanation) : explanation.text, terminator: "")
    }
}

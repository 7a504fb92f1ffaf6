import ArgumentParser
import ControlPlane
import Gatehouse

/// `gatehouse lint`: every problem as `namespace/name: field.path: message` (warnings suffixed ` (warning)`);
/// exit 1 when any is an error.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests: one line per problem (namespace/name: field.path: message); exit 1 on any error.")

    @OptionGroup var routing: RoutingFlags

    @OptionGroup var controller: ControllerFlags

    @Option(name: .customLong("output"), help: "text or json.")
    var output: OutputFormat = .text

    func run() throws {
        let (_, state) = FileProvider.load(paths: routing.manifests)
        let report = Diagnostics.lint(
            state: state, options: routing.options, controller: controller.identity(in: state), now: currentEpochSeconds())
        print(output == .json ? report.json : report.text, terminator: "")
        if report.hasErrors { throw ExitCode(1) }
    }
}

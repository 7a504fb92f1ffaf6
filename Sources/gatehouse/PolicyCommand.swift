import ArgumentParser
import ControlPlane
import Foundation
import Gatehouse
import KubeModel
import Policy

/// `gatehouse policy`: NetworkPolicy verdicts computed from the manifests.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "NetworkPolicy verdicts from the manifests: can-reach, matrix, check.",
        subcommands: [CanReach.self, Matrix.self, Check.self]
    )
}

extension PolicyCommand {
    /// Loads the manifests and reports problems that change the answers on standard error.
    static func load(_ flags: ManifestFlags) -> PolicyReport {
        let (_, state) = FileProvider.load(paths: flags.manifests)
        let report = PolicyReport(state: state)
        for issue in report.warnings { printError("warning: \(issue)") }
        return report
    }

    /// Parses a protocol flag.
    static func parseProtocol(_ text: String) throws -> PolicyProtocol {
        guard let value = PolicyProtocol(name: text) else {
            throw ValidationError("--protocol: expected TCP, UDP or SCTP, got \"\(text)\"")
        }
        return value
    }

    /// `gatehouse policy can-reach`: one verdict with the reason; exit 0 when allowed, 1 when blocked.
    struct CanReach: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "can-reach", abstract: "May --from open a connection to --to on --port? Exit 0 when allowed, 1 when blocked.")

        @OptionGroup var manifests: ManifestFlags

        @Option(help: "The source: namespace/pod or an IP address.")
        var from: String

        @Option(help: "The destination: namespace/pod or an IP address.")
        var to: String

        @Option(help: "The destination port.")
        var port: Int

        @Option(name: .customLong("protocol"), help: "TCP, UDP or SCTP.")
        var proto = "TCP"

        @Option(name: .customLong("output"), help: "text or json.")
        var output: OutputFormat = .text

        func validate() throws {
            if PolicyEndpoint(from) == nil { throw ValidationError("--from: expected namespace/pod or an IP address, got \"\(from)\"") }
            if PolicyEndpoint(to) == nil { throw ValidationError("--to: expected namespace/pod or an IP address, got \"\(to)\"") }
            _ = try PolicyCommand.parseProtocol(proto)
        }

        func run() throws {
            guard let source = PolicyEndpoint(from), let destination = PolicyEndpoint(to) else { throw ExitCode(2) }
            let report = PolicyCommand.load(manifests)
            let verdict: PolicyVerdict
            do {
                verdict = try report.engine.verdict(
                    from: source, to: destination, port: port, protocol: try PolicyCommand.parseProtocol(proto))
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            print(output == .json ? PolicyReport.encode(verdict) : verdict.description + "\n", terminator: "")
            if !verdict.allowed { throw ExitCode(1) }
        }
    }

    /// `gatehouse policy matrix`: who may reach whom, as the Kubernetes e2e tests print it.
    struct Matrix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who may reach whom among all Pods (. allowed, X blocked), per port.")

        @OptionGroup var manifests: ManifestFlags

        @Option(help: "The destination port (default: every container port of the Pods).")
        var port: Int?

        @Option(name: .customLong("protocol"), help: "TCP, UDP or SCTP.")
        var proto = "TCP"

        @Option(name: .customLong("output"), help: "text or json.")
        var output: OutputFormat = .text

        func validate() throws {
            _ = try PolicyCommand.parseProtocol(proto)
            if let port, !(1...65535).contains(port) { throw ValidationError("--port: must be between 1 and 65535") }
        }

        func run() throws {
            let report = PolicyCommand.load(manifests)
            let protocolValue = try PolicyCommand.parseProtocol(proto)
            let ports = port.map { [$0] } ?? report.defaultMatrixPorts(protocol: protocolValue)
            let text =
                output == .json
                ? report.matrixJSON(ports: ports, protocol: protocolValue) : report.matrixText(ports: ports, protocol: protocolValue)
            print(text, terminator: "")
        }
    }

    /// `gatehouse policy check`: a batch of queries in, the same array with `allowed` and `reason` out.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a JSON array of queries; prints it back with allowed and reason added. Exit 1 if any query fails.")

        @OptionGroup var manifests: ManifestFlags

        @Option(help: "A JSON file with an array of {\"from\", \"to\", \"port\", \"protocol\"} (- for standard input).")
        var queries: String

        func run() throws {
            let input: Data
            if queries == "-" {
                input = FileHandle.standardInput.readDataToEndOfFile()
            } else if let data = FileManager.default.contents(atPath: queries) {
                input = data
            } else {
                printError("error: cannot read \(queries)")
                throw ExitCode(2)
            }
            let report = PolicyCommand.load(manifests)
            do {
                let (output, failures) = try report.check(input)
                print(output, terminator: "")
                if failures > 0 { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("error: \(queries): \(error)")
                throw ExitCode(2)
            }
        }
    }
}

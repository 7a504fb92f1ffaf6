import Logging
import NIOCore
import Routing
import ServiceLifecycle

/// Starts an echo backend for every endpoint on a loopback address in the manifests (`serve --demo-backends`),
/// so the tutorial runs on one machine: each answers as its Pod (or Service) name.
final class DemoBackends: Service, Sendable {
    private let endpoints: [(host: String, port: Int, name: String)]
    private let group: any EventLoopGroup
    private let logger: Logger

    init(state: ClusterState, group: any EventLoopGroup, logger: Logger) {
        var seen: Set<String> = []
        var endpoints: [(String, Int, String)] = []
        for (service, slices) in state.endpointSlicesByService.sorted(by: { $0.key < $1.key }) {
            for slice in slices {
                for port in slice.ports ?? [] {
                    guard let number = port.port else { continue }
                    for endpoint in slice.endpoints ?? [] {
                        guard let address = endpoint.addresses?.first, address.hasPrefix("127."),
                            seen.insert("\(address):\(number)").inserted
                        else { continue }
                        endpoints.append((address, number, endpoint.targetRef?.name ?? service.name))
                    }
                }
            }
        }
        self.endpoints = endpoints
        self.group = group
        self.logger = logger
    }

    func run() async throws {
        var servers: [EchoServer] = []
        for endpoint in endpoints {
            do {
                let server = try await EchoServer.start(host: endpoint.host, port: endpoint.port, name: endpoint.name, group: group)
                servers.append(server)
                logger.info("demo backend", metadata: ["name": "\(endpoint.name)", "address": "\(endpoint.host):\(endpoint.port)"])
            } catch {
                logger.warning("demo backend could not start", metadata: ["address": "\(endpoint.host):\(endpoint.port)", "error": "\(error)"])
            }
        }
        try? await gracefulShutdown()
        for server in servers { try? await server.stop() }
    }
}

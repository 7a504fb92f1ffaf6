import Foundation
import Gatehouse
import Policy
import Testing

/// `gatehouse policy check`: the batch keeps every query as given and adds `allowed` and `reason` (or `error`).
struct PolicyReportTests {
    static let report = PolicyReport(state: DiagnosticsSupport.load(["examples/network-policy"]))

    /// Parses the output back into objects.
    static func objects(_ output: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
    }

    @Test("each query comes back with its own keys plus allowed and reason, one per line")
    func answers() throws {
        let input = """
            [
              {"id": 1, "from": "default/frontend", "to": "default/backend", "port": 8080},
              {"id": 2, "from": "default/other", "to": "default/backend", "port": 8080, "protocol": "TCP"},
              {"id": 3, "from": {"ip": "192.0.2.7"}, "to": "default/backend", "port": 8080, "protocol": "udp"},
              {"id": 4, "from": "10.1.0.1", "to": {"pod": "default/backend"}, "port": 8080}
            ]
            """
        let (output, failures) = try Self.report.check(Data(input.utf8))
        #expect(failures == 0)
        #expect(output.split(separator: "\n").count == 6, "an opening bracket, one line per query, a closing bracket")
        let objects = try Self.objects(output)
        #expect(objects.map { $0["id"] as? Int } == [1, 2, 3, 4])
        #expect(objects.map { $0["allowed"] as? Bool } == [true, false, false, true])
        #expect(objects[2]["protocol"] as? String == "udp", "the query is echoed as written")
        #expect(
            objects[0]["reason"] as? String
                == "egress of default/frontend: isolated by allow-frontend-egress, deny-all; admitted by allow-frontend-egress spec.egress[0] (to[0], ports[0]); ingress of default/backend: isolated by allow-frontend, deny-all; admitted by allow-frontend spec.ingress[0] (from[0], ports[0])"
        )
        #expect(
            objects[2]["reason"] as? String
                == "the source is outside the cluster: only the destination's ingress applies; ingress of default/backend: isolated by allow-frontend, deny-all; denied: no ingress rule admits it"
        )
        #expect(
            output.hasPrefix(
                "[\n{\"id\": 1, \"from\": \"default/frontend\", \"to\": \"default/backend\", \"port\": 8080,\"allowed\":true,\"reason\":\"egress of"
            ))
    }

    @Test("queries that cannot be answered get an error and count as failures; the rest are answered")
    func failures() throws {
        let input = """
            [
              {"from": "default/nobody", "to": "default/backend", "port": 8080},
              {"from": "default/frontend", "to": "default/backend", "port": 0},
              {"from": "frontend", "to": "default/backend", "port": 8080},
              {"to": "default/backend", "port": 8080},
              {"from": "default/frontend", "to": "default/backend", "port": 8080, "protocol": "ICMP"},
              7,
              {"from": "default/frontend", "to": "default/backend", "port": 8080}
            ]
            """
        let (output, failures) = try Self.report.check(Data(input.utf8))
        #expect(failures == 6)
        let objects = try Self.objects(output)
        #expect(
            objects.map { $0["error"] as? String } == [
                "unknown pod default/nobody",
                "invalid port 0: must be between 1 and 65535, inclusive",
                "invalid query: expected \"namespace/pod\" or an IP address, got \"frontend\"",
                "invalid query: missing \"from\"",
                "invalid query: unsupported protocol \"ICMP\": expected TCP, UDP or SCTP",
                "invalid query: wrong type at the query",
                nil,
            ])
        #expect(objects[5]["query"] as? Int == 7)
        #expect(objects[6]["allowed"] as? Bool == true)
        #expect(objects[0]["allowed"] == nil)
    }

    @Test("elements keep their text: nested values, strings with commas, brackets and escapes, pretty printing")
    func rawElements() throws {
        let input = """
              [ {
                "from": "default/frontend", "to": "default/backend", "port": 8080,
                "note": "a, [b] {c} \\"d\\" \\\\", "tags": [1, {"x": []}]
              } , {} ,
              {"from": "default/other", "to": "default/backend", "port": 8080, "allowed": true, "reason": "stale"}
              ]
            """
        let (output, failures) = try Self.report.check(Data(input.utf8))
        #expect(failures == 1, "the empty object has no query")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "{")
        #expect(
            lines[3]
                == #"    "note": "a, [b] {c} \"d\" \\", "tags": [1, {"x": []}],"allowed":true,"reason":"egress of default/frontend: isolated by allow-frontend-egress, deny-all; admitted by allow-frontend-egress spec.egress[0] (to[0], ports[0]); ingress of default/backend: isolated by allow-frontend, deny-all; admitted by allow-frontend spec.ingress[0] (from[0], ports[0])"},"#
        )
        #expect(lines[4] == #"{"error":"invalid query: missing \"from\""},"#)
        let objects = try Self.objects(output)
        #expect(objects[0]["note"] as? String == #"a, [b] {c} "d" \"#)
        #expect(objects[2]["allowed"] as? Bool == false, "answers fed back in are replaced, not duplicated")
        #expect(objects[2]["reason"] as? String != "stale")
        #expect(lines[5].hasPrefix(#"{"allowed":false,"from":"default/other","#))
    }

    @Test("input that is not a JSON array is refused; an empty array is answered")
    func notAnArray() throws {
        #expect(throws: (any Error).self) { try Self.report.check(Data("{\"from\": 1}".utf8)) }
        #expect(throws: (any Error).self) { try Self.report.check(Data("not json".utf8)) }
        let (output, failures) = try Self.report.check(Data("[]".utf8))
        #expect(output == "[]\n")
        #expect(failures == 0)
    }

    @Test("thousands of queries in one call")
    func batch() throws {
        let pods = ["default/frontend", "default/backend", "default/other"]
        var queries: [String] = []
        for index in 0..<6000 {
            queries.append(
                "{\"from\":\"\(pods[index % 3])\",\"to\":\"\(pods[(index / 3) % 3])\",\"port\":\(index % 2 == 0 ? 8080 : 80)}")
        }
        let started = ContinuousClock.now
        let (output, failures) = try Self.report.check(Data(("[" + queries.joined(separator: ",") + "]").utf8))
        let elapsed = ContinuousClock.now - started
        #expect(failures == 0)
        let objects = try Self.objects(output)
        #expect(objects.count == 6000)
        // frontend → backend on 8080 is the only allowed pair between different Pods.
        let allowedPairs = objects.filter { ($0["allowed"] as? Bool) == true && ($0["from"] as? String) != ($0["to"] as? String) }
        #expect(allowedPairs.allSatisfy { $0["from"] as? String == "default/frontend" && $0["port"] as? Int == 8080 })
        #expect(!allowedPairs.isEmpty)
        #expect(elapsed < .seconds(20), "6000 queries took \(elapsed)")
    }

    @Test("matrix JSON decodes back into matrices")
    func matrixJSON() throws {
        let json = Self.report.matrixJSON(ports: [80, 8080], protocol: .tcp)
        let matrices = try JSONDecoder().decode([ReachabilityMatrix].self, from: Data(json.utf8))
        #expect(matrices.map(\.port) == [80, 8080])
        #expect(matrices[1].isAllowed(from: "default/frontend", to: "default/backend") == true)
        #expect(matrices[0].isAllowed(from: "default/frontend", to: "default/backend") == false)
    }
}

import Benchmark
import Routing
import ScaleFixtures

/// A route table and requests to look up in it.
struct LookupFixture: Sendable {
    let table: RouteTable
    let requests: [(host: String, path: String)]
    let raw: [(host: Substring, target: Substring)]

    init(ingresses: Int) {
        table = SnapshotBuilder(state: ScaleFixture.state(ingresses: ingresses), options: ScaleFixture.options).build(version: 1).routeTable
        requests = ScaleFixture.requests(ingresses: ingresses)
        raw = requests.map { (Substring($0.host.uppercased() + ":443"), Substring($0.path + "?q=1")) }
        var missing = 0
        for request in requests where table.match(host: request.host, path: request.path) == nil { missing += 1 }
        precondition(missing == 0, "\(missing) of the generated requests found no route")
    }
}

/// A store and one changed file to feed it.
struct DecodeFixture: Sendable {
    let store: ManifestStore
    let path: String
    let text: String

    init(ingresses: Int) {
        let files = ScaleFixture.files(ingresses: ingresses)
        store = ScaleFixture.store(ingresses: ingresses)
        path = files[1].path
        text = files[1].text + "\n# changed\n"
    }
}

/// A store and an incremental builder that have built once, and edits to feed them: one Ingress of one file at a
/// time gets another path (files in turn, two versions each so every step changes something).
final class ChangeFixture: @unchecked Sendable {
    // Safety: used by one benchmark at a time, from one thread.
    var store: ManifestStore
    var builder = IncrementalSnapshotBuilder()
    let edits: [(path: String, versions: [String])]
    var step = 0

    init(ingresses: Int) {
        store = ScaleFixture.store(ingresses: ingresses)
        _ = builder.build(state: store.admit(now: "2026-01-01T00:00:00Z"), options: ScaleFixture.options, version: 1)
        edits = ScaleFixture.files(ingresses: ingresses).dropFirst().map { file in
            let versions = ["/static-a", "/static-b"].map { replacement -> String in
                guard let range = file.text.range(of: "/static") else { return file.text + "\n# \(replacement)\n" }
                return file.text.replacingCharacters(in: range, with: replacement)
            }
            return (file.path, versions)
        }
    }

    /// Applies the next edit: decode the file, admit, build.
    func next() -> RoutingSnapshot {
        let edit = edits[step % edits.count]
        store.update(path: edit.path, text: edit.versions[(step / edits.count) % 2])
        step += 1
        return builder.build(state: store.admit(now: "2026-01-01T00:00:00Z"), options: ScaleFixture.options, version: step + 1)
    }
}

let benchmarks: @Sendable () -> Void = {
    for count in [100, 1_000, 10_000] {
        Benchmark(
            "Snapshot build/\(count) Ingresses",
            configuration: .init(
                // memoryLeakedBytes = bytes malloc'd minus bytes freed in the measured window, which ends while the
                // snapshot is still alive: the memory the snapshot holds.
                metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .mallocBytesCount, .memoryLeakedBytes, .peakMemoryResident],
                timeUnits: .milliseconds,
                warmupIterations: 1,
                maxDuration: .seconds(10),
                maxIterations: count >= 10_000 ? 5 : 20
            )
        ) { (benchmark: Benchmark, state: ClusterState) in
            let snapshot = SnapshotBuilder(state: state, options: ScaleFixture.options).build(version: 2)
            benchmark.stopMeasurement()
            blackHole(snapshot)
        } setup: {
            ScaleFixture.state(ingresses: count)
        }

        Benchmark(
            "One file changed (decode + admit + incremental build)/\(count) Ingresses",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
                timeUnits: .milliseconds,
                warmupIterations: 2,
                maxDuration: .seconds(10),
                maxIterations: 40
            )
        ) { (benchmark: Benchmark, fixture: ChangeFixture) in
            for _ in benchmark.scaledIterations {
                blackHole(fixture.next())
            }
        } setup: {
            ChangeFixture(ingresses: count)
        }

        Benchmark(
            "Admission (validate + ClusterState)/\(count) Ingresses",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
                timeUnits: .milliseconds,
                warmupIterations: 1,
                maxDuration: .seconds(10),
                maxIterations: count >= 10_000 ? 5 : 20
            )
        ) { (benchmark: Benchmark, store: ManifestStore) in
            for _ in benchmark.scaledIterations {
                var copy = store
                blackHole(copy.admit(now: "2026-01-01T00:00:00Z"))
            }
        } setup: {
            ScaleFixture.store(ingresses: count)
        }

        Benchmark(
            "Manifest decode of one file (\(ScaleFixture.ingressesPerFile) Ingresses)/\(count) Ingresses",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
                timeUnits: .milliseconds,
                warmupIterations: 1,
                maxDuration: .seconds(5),
                maxIterations: 10
            )
        ) { (benchmark: Benchmark, fixture: DecodeFixture) in
            for _ in benchmark.scaledIterations {
                var store = fixture.store
                store.update(path: fixture.path, text: fixture.text)
                blackHole(store)
            }
        } setup: {
            DecodeFixture(ingresses: count)
        }
    }

    for count in [10, 100, 1_000, 10_000] {
        Benchmark(
            "Route lookup/\(count) Ingresses",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 10,
                scalingFactor: .kilo,
                maxDuration: .seconds(3),
                maxIterations: 2_000
            )
        ) { (benchmark: Benchmark, fixture: LookupFixture) in
            var index = 0
            for _ in benchmark.scaledIterations {
                let request = fixture.requests[index & 1023]
                index &+= 1
                blackHole(fixture.table.match(host: request.host, path: request.path))
            }
        } setup: {
            LookupFixture(ingresses: count)
        }

        Benchmark(
            "Request resolve (normalize host, split path, match)/\(count) Ingresses",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 10,
                scalingFactor: .kilo,
                maxDuration: .seconds(3),
                maxIterations: 2_000
            )
        ) { (benchmark: Benchmark, fixture: LookupFixture) in
            var index = 0
            for _ in benchmark.scaledIterations {
                let request = fixture.raw[index & 1023]
                index &+= 1
                let host = RequestHost.normalize(request.host)
                if let (path, _) = RequestPath.split(request.target) {
                    blackHole(fixture.table.match(host: host, path: path))
                }
            }
        } setup: {
            LookupFixture(ingresses: count)
        }
    }
}

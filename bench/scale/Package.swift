// swift-tools-version: 6.1
// Scale benchmarks of Gatehouse's pure core (snapshot build, route lookup), with package-benchmark.
// A separate package so the main package does not depend on the benchmark library; run with `bench/scale/run`.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder (`main` in the work tree, something else in a CI clone).
let gatehouse = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "GatehouseScale",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "ScaleFixtures",
            dependencies: [
                .product(name: "Routing", package: gatehouse),
                .product(name: "KubeModel", package: gatehouse),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ScaleBenchmarks",
            dependencies: [
                "ScaleFixtures",
                .product(name: "Routing", package: gatehouse),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/ScaleBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)

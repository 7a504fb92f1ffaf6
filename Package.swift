// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every Gatehouse target: Swift 6 language mode and warnings as errors.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-warnings-as-errors"]),
]

/// The data plane's release builds skip the run-time exclusivity checks on class properties (about a fifth of the
/// instructions per proxied request, bench/RESULTS.md). Why that is safe: each handler's state is touched only on
/// its own event loop and never re-entered during an inout access; every debug build (the whole test suite) keeps
/// the checks, so a violation traps in tests. Compile-time exclusivity checking stays on everywhere.
let dataPlane: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// How release builds link the `gatehouse` binary on Linux (bench/RESULTS.md, memory with 10,000 Ingresses): with
/// lld, packing the relative relocations a position-independent binary needs (DT_RELR: 24 KB instead of 2.9 MB, all
/// of it read at start-up), and without exporting the binary's own symbols to the dynamic linker (nothing loads
/// code into it; its 38,000 symbols' table is otherwise resident too). 4.6 MiB less resident; ASLR is kept.
let releaseLink: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "Gatehouse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
        // The pure core, for the scale benchmarks in bench/scale (a separate package).
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "Routing", targets: ["Routing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(
            name: "KubeModel",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Routing", dependencies: ["KubeModel"], swiftSettings: strict),
        .target(name: "Policy", dependencies: ["KubeModel"], swiftSettings: strict),
        // splice(2) and Linux pipe sizing, which Swift's Glibc module does not declare (they need _GNU_SOURCE).
        .target(name: "CLinuxSplice"),
        .target(
            name: "DataPlane",
            dependencies: [
                "Routing",
                "KubeModel",
                "CLinuxSplice",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: dataPlane
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "Routing",
                "KubeModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Gatehouse",
            dependencies: [
                "KubeModel", "Routing", "Policy", "DataPlane", "ControlPlane",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: [
                "Gatehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLink
        ),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"], swiftSettings: strict),
        .testTarget(
            name: "RoutingTests",
            dependencies: ["Routing", "KubeModel", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "KubeModel"], swiftSettings: strict),
        .testTarget(
            name: "DataPlaneTests",
            dependencies: [
                "DataPlane", "Routing", "KubeModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: ["ControlPlane", "Routing", "KubeModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GatehouseTests",
            dependencies: [
                "Gatehouse", "DataPlane", "ControlPlane", "Routing", "KubeModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Gatehouse",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)

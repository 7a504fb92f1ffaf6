// swift-tools-version: 6.1
// Builds what the libFuzzer harness for the HTTP/1.1 request parser links against (`fuzz/run`), instrumented. The
// `HTTP1` target is the data plane's parser sources (Sources/HTTP1 links to ../Sources/DataPlane/HTTP1), which need
// only NIOCore; `fuzz/run` then compiles those sources and harness/ into one instrumented executable with swiftc.
import PackageDescription

let package = Package(
    name: "GatehouseFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")
    ],
    targets: [
        .target(
            name: "HTTP1",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)

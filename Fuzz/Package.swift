// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for Rackboot's pure decoders, kept out of the root package so that a plain `swift build` or
/// `swift test` never builds them. Build only with the fuzzer runtime, which supplies `main`:
/// `swift build -c release --sanitize fuzzer --sanitize address` (see docs/fuzzing.md, or `make fuzz`).
let package = Package(
    name: "RackbootFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Rackboot", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzDHCP",
            dependencies: [
                .product(name: "RackbootDHCPCore", package: "Rackboot"),
                .product(name: "RackbootInventory", package: "Rackboot"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzTFTP",
            dependencies: [
                .product(name: "RackbootTFTPCore", package: "Rackboot"),
                .product(name: "RackbootInventory", package: "Rackboot"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzHTTP",
            dependencies: [.product(name: "RackbootHTTPCore", package: "Rackboot")]
        ),
        .executableTarget(
            name: "FuzzProfile",
            dependencies: [.product(name: "RackbootInventory", package: "Rackboot")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

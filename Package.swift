// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Rackboot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rackboot", targets: ["rackboot"]),
        // The pure cores, for the separate fuzzing package in Fuzz/ (a plain build never builds its targets).
        .library(name: "RackbootInventory", targets: ["Inventory"]),
        .library(name: "RackbootDHCP", targets: ["DHCP"]),
        .library(name: "RackbootTFTP", targets: ["TFTPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "Inventory",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "DHCP",
            dependencies: [
                "Inventory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // TFTP's pure core: the packet codec, the read-transfer state machine and option negotiation, file-name
        // rules and byte sources. No socket, clock or file system: time comes in as a parameter, decisions go out
        // as actions.
        .target(
            name: "TFTPCore",
            dependencies: ["Inventory", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // epoll, eventfd, sendmmsg, UDP GSO and io_uring (Debian's liburing-dev; liburing2 at run time) for the
        // TFTP transfer pumps.
        .target(name: "CTFTPSocket", linkerSettings: [.linkedLibrary("uring")]),
        // TFTP's adapters: the request port (SwiftNIO), the transfer pumps on raw sockets, the jailed root.
        .target(
            name: "TFTPService",
            dependencies: [
                "TFTPCore", "Inventory", "CTFTPSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "Systemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Appliance",
            dependencies: [
                "Inventory", "DHCP", "TFTPCore", "TFTPService", "Systemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The watchdog test's fault injection (FaultInjectionService) exists in debug builds only.
            swiftSettings: [.define("RACKBOOT_FAULT_INJECTION", .when(configuration: .debug))]
        ),
        .executableTarget(
            name: "rackboot",
            dependencies: [
                "Appliance", "Inventory", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory"]),
        .testTarget(name: "ApplianceTests", dependencies: ["Appliance", "Inventory", "DHCP", "Systemd"]),
        .testTarget(
            name: "DHCPTests",
            dependencies: [
                "DHCP", "Inventory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TFTPCoreTests",
            dependencies: ["TFTPCore", "Inventory", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "TFTPServiceTests",
            dependencies: [
                "TFTPService", "TFTPCore", "Inventory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
import PackageDescription

// Read top to bottom, this is the data flow (docs/architecture.md draws it):
//   profiles ─▶ Inventory ─▶ DHCPCore / TFTPCore (pure: wire codecs, engines, state machines)
//                              ─▶ DHCPService / TFTPService (sockets, threads, SQLite, the TFTP root)
//                                  ─▶ Appliance (configuration, one ServiceGroup, reload, watchdog, status, metrics)
//                                      ─▶ rackboot
// A core depends on no socket, clock, file-system or database library; only the services do I/O. The services count
// through swift-metrics' API only; the Appliance chooses Prometheus as its backend and serves /metrics.
let package = Package(
    name: "Rackboot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rackboot", targets: ["rackboot"]),
        // The pure cores, for the separate fuzzing package in Fuzz/ (a plain build never builds its targets).
        .library(name: "RackbootInventory", targets: ["Inventory"]),
        .library(name: "RackbootDHCPCore", targets: ["DHCPCore"]),
        .library(name: "RackbootTFTPCore", targets: ["TFTPCore"]),
        .library(name: "RackbootHTTPCore", targets: ["HTTPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Machine profiles and templates: YAML with file:line diagnostics, validation across files, the immutable
        // snapshot the servers share, and the boot-config renderers.
        .target(
            name: "Inventory",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),

        // DHCP's pure core: the message codec, the engine (DORA, reservations, pools, PXE and proxy answers), rate
        // limits and the lease table. Time comes in as a parameter; a decision comes out as a value.
        .target(
            name: "DHCPCore",
            dependencies: ["Inventory", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // DHCP's adapters: one UDP channel per interface on one event loop, the commit thread, the SQLite store.
        .target(
            name: "DHCPService",
            dependencies: [
                "DHCPCore", "Inventory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // TFTP's pure core: the packet codec, the read-transfer state machine and option negotiation, file-name
        // rules and byte sources.
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
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // HTTP's pure core: request-target decoding and its path rules, routes, byte ranges, response plans.
        .target(name: "HTTPCore"),
        // HTTP's adapter: SwiftNIO's NIOHTTP1 codec, sendfile for files under the root, connection and time limits.
        .target(
            name: "HTTPService",
            dependencies: [
                "HTTPCore", "Inventory", "TFTPCore", "TFTPService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // The install-once state machine: install phases, the callback's token check, reinstall. Pure.
        .target(name: "Lifecycle", dependencies: ["Inventory"]),
        // Machine lifecycle records in SQLite (machines.sqlite) and the live book of them the servers report to.
        .target(
            name: "LifecycleService",
            dependencies: [
                "Lifecycle", "Inventory",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),

        // Leases, offer holds and machine lifecycle records in PostgreSQL, shared by several appliances: the schema
        // and its versions, the atomic address claims, and the client (PostgresNIO) behind the synchronous stores.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "DHCPCore", "DHCPService", "Inventory", "Lifecycle", "LifecycleService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // sd_notify, the watchdog and the journald log handler, through libsystemd.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "Systemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),

        // The appliance: the configuration file, loading, and `serve`'s ServiceGroup of the services above.
        .target(
            name: "Appliance",
            dependencies: [
                "Inventory", "DHCPCore", "DHCPService", "TFTPCore", "TFTPService", "HTTPCore", "HTTPService",
                "Lifecycle",
                "LifecycleService", "PostgresStorage", "Systemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
        .testTarget(
            name: "DHCPCoreTests",
            dependencies: ["DHCPCore", "Inventory", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "DHCPServiceTests",
            dependencies: [
                "DHCPService", "DHCPCore", "Inventory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
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
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        .testTarget(
            name: "LifecycleTests",
            dependencies: [
                "Lifecycle", "LifecycleService", "Inventory", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "ApplianceTests",
            dependencies: [
                "Appliance", "Inventory", "DHCPCore", "DHCPService", "TFTPCore", "TFTPService", "Systemd",
                "PostgresStorage",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

import Inventory
import Logging
import NIOCore
import NIOPosix

/// The SwiftNIO adapter of the TFTP server: one listening UDP channel for requests and one channel per transfer.
///
/// It decides nothing itself: file choice is `TFTPFileProvider`, every protocol decision is `TFTPReadTransfer`.
/// The inventory is read through a closure on every request, so a reload's new snapshot applies to the next RRQ
/// while running transfers keep the bytes they started with.
public struct TFTPServer: Sendable {
    public let configuration: TFTPServerConfiguration
    private let files: TFTPFileProvider
    private let inventory: @Sendable () -> Inventory
    private let logger: Logger
    /// Running transfers and the cap on them; one per server, shared by its listener and transfer channels.
    let transfers: TFTPActiveTransfers

    /// Resolves the root once (its real path anchors the jail); fails if it does not exist.
    public init(
        configuration: TFTPServerConfiguration, inventory: @escaping @Sendable () -> Inventory, logger: Logger
    ) throws(TFTPRootDirectoryError) {
        self.configuration = configuration
        self.files = TFTPFileProvider(
            root: try configuration.rootPath.map { path throws(TFTPRootDirectoryError) in
                try TFTPRootDirectory(path: path)
            })
        self.inventory = inventory
        self.logger = logger
        self.transfers = TFTPActiveTransfers(capacity: configuration.maxTransfers)
    }

    /// Transfers running now, for the status line and a graceful stop's drain.
    public var transfersInFlight: Int { transfers.snapshot.running.count }

    /// Undecodable datagrams dropped since the server started (request port and transfer ports), for the status
    /// line.
    public var malformedDatagrams: Int { transfers.malformedDatagrams }

    /// Binds the request port. Closing the returned channel stops new transfers; running ones finish on their own.
    ///
    /// Transfer channels are spread over `group`'s event loops (`next()`), so a boot storm uses every core while the
    /// request port stays on one.
    public func bind(on group: any EventLoopGroup) -> EventLoopFuture<any Channel> {
        let configuration = configuration
        let files = files
        let inventory = inventory
        let logger = logger
        let transfers = transfers
        return DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TFTPRequestHandler(
                            configuration: configuration, files: files, inventory: inventory, transfers: transfers,
                            transferGroup: group, logger: logger))
                }
            }
            .bind(to: configuration.bindAddress)
    }
}

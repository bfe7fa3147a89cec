import DHCPCore
import Inventory
import NIOCore

/// What the DHCP server adapter needs from the appliance's configuration.
public struct DHCPServerConfiguration: Sendable {
    public var engine: DHCPEngineConfiguration
    /// The server port (67); clients are answered on `port + 1`.
    public var port: Int = 67
    /// Interfaces to serve: one channel each, bound with `SO_BINDTODEVICE`. Relayed requests must arrive on one.
    public var interfaces: [String]
    /// Interfaces that also get a PXE boot-server channel on port 4011 (those with a proxy subnet).
    public var bootServerInterfaces: [String] = []
    /// Seconds between sweeps of expired leases.
    public var expirySweepInterval: Int64 = 60
    /// Time between two background checkpoints of the lease store (`LeaseStore.checkpoint`).
    public var checkpointInterval: TimeAmount = .seconds(1)
    /// Malformed, rate-limited and pool-exhausted drops are warned about once per source per interval (with a
    /// count); the rest go to debug.
    public var dropWarningInterval: Duration = .seconds(60)

    public init(engine: DHCPEngineConfiguration, interfaces: [String]) {
        self.engine = engine
        self.interfaces = interfaces
    }
}

import Lifecycle

/// Where machine lifecycle records outlive the process: `machines.sqlite` for one appliance (`MachineStateStore`),
/// or a database that several appliances share.
public protocol MachineRecordStore: Sendable {
    /// The file or database, for messages.
    var location: String { get }
    /// True when other appliances write the same records: the book then reads them back now and then
    /// (`loadAll`) and takes the install phases other appliances changed.
    var isShared: Bool { get }
    /// Every record, by lower-cased host name.
    func loadAll() throws -> [String: MachineLifecycleRecord]
    /// Writes `records` in one durable transaction; returns, per record and in order, what the store holds for
    /// that machine afterwards: the record itself, or, in a shared store, the install phase of a newer generation
    /// another appliance wrote, with this record's observations.
    func save(_ records: [MachineLifecycleRecord]) async throws -> [MachineLifecycleRecord]
    /// The same, blocking the calling thread: for the command line, which has no event loop to keep free.
    func saveNow(_ records: [MachineLifecycleRecord]) throws
}

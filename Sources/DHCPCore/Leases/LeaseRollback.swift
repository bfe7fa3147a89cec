import Inventory

/// How to put a `LeaseTable` back as it was before one change, for when the store refuses to write that change.
///
/// The engine records a lease in memory when it decides, before the commit; if the commit then fails, the client
/// is told nothing, so the table must not keep the lease either: a lease that exists only in memory holds an
/// address nobody was promised, and vanishes at the next start. A renewal that fails must leave the stored,
/// shorter lease in place (the client still holds it), not free the address.
public struct LeaseRollback: Sendable, Hashable {
    /// The table's revision that the change produced; the rollback applies only while the address still has it,
    /// so it never undoes a later decision about the same address (a retransmitted REQUEST, a second change).
    let revision: UInt64
    /// The address the change wrote.
    let address: IPv4Address
    /// What that address held before (`nil`: nothing).
    let previous: Lease?
    /// The client's lease on another address that the change freed (a client moving to a new address).
    let freed: Lease?
    /// The previous-address memory the change replaced (a bind on a remembered address).
    let forgotten: PreviousAddress?
}

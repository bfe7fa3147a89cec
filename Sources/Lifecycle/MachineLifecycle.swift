/// The install-once state machine: every decision about a machine's install phase, as pure functions of the record,
/// the event and the time (docs/lifecycle.md, docs/protocol.md, "Install callback").
public enum MachineLifecycle {
    /// A change of phase, logged as one journal entry with its own `MESSAGE_ID`.
    public enum Transition: Sendable, Hashable {
        /// DHCP saw the machine for the first time: never seen → install pending.
        case firstSeen
        case installStarted
        case installed
        case reinstallRequested

        public var messageID: String {
            switch self {
            case .firstSeen: return LifecycleMessageID.firstSeen
            case .installStarted: return LifecycleMessageID.installStarted
            case .installed: return LifecycleMessageID.installed
            case .reinstallRequested: return LifecycleMessageID.reinstallRequested
            }
        }

        /// The journal message.
        public var message: String {
            switch self {
            case .firstSeen: return "Machine seen for the first time"
            case .installStarted: return "Machine install started"
            case .installed: return "Machine installed"
            case .reinstallRequested: return "Machine reinstall requested"
            }
        }
    }

    /// Why a callback changed nothing.
    public enum CallbackRefusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// The machine is not in state `install`, or has no record.
        case noInstall
        /// Installed already: a replay of a used token, or a second call.
        case alreadyInstalled
        case wrongToken
        /// Accepted, but the state directory refused the write: the install is not recorded, and may call again.
        case notSaved

        public var description: String {
            switch self {
            case .noInstall: return "the machine has no install under way"
            case .alreadyInstalled: return "the machine is already installed (token used)"
            case .wrongToken: return "wrong install token"
            case .notSaved: return "the machine state could not be saved"
            }
        }
    }

    /// DHCP acknowledged an address to the machine.
    public static func dhcpAcknowledged(
        _ record: MachineLifecycleRecord, address: String, mac: String, at now: Int64
    ) -> (MachineLifecycleRecord, Transition?) {
        var next = record
        let first = record.lastDHCPAt == nil && record.lastConfigAt == nil && record.installCount == 0
        next.lastDHCPAt = now
        next.lastDHCPAddress = address
        next.lastDHCPMAC = mac
        return (next, first ? .firstSeen : nil)
    }

    /// The machine was handed something only its installer asks for (its install config, an answer file).
    public static func installerServed(_ record: MachineLifecycleRecord, at now: Int64) -> (
        MachineLifecycleRecord, Transition?
    ) {
        guard record.phase == .pending else { return (record, nil) }
        var next = record
        next.phase = .installing
        next.installStartedAt = now
        next.generation += 1
        return (next, .installStarted)
    }

    /// The installer called back with `token`. On success the token is spent: a replay finds none.
    public static func callback(_ record: MachineLifecycleRecord, token: String, at now: Int64) -> Result<
        MachineLifecycleRecord, CallbackRefusal
    > {
        if record.phase == .installed { return .failure(.alreadyInstalled) }
        guard let expected = record.installToken else { return .failure(.noInstall) }
        guard constantTimeEquals(Array(expected.utf8), Array(token.utf8)) else { return .failure(.wrongToken) }
        var next = record
        next.phase = .installed
        next.installToken = nil
        next.installedAt = now
        next.installCount += 1
        next.generation += 1
        return .success(next)
    }

    /// An admin asked for a reinstall: the next network boot installs again, with a fresh token.
    public static func reinstall(_ record: MachineLifecycleRecord, newToken: String) -> MachineLifecycleRecord {
        var next = record
        next.phase = .pending
        next.installToken = newToken
        next.installStartedAt = nil
        next.generation += 1
        return next
    }

    /// `local` with the install phase of `stored`, what a shared store holds for the same machine, when the store's
    /// is newer: a higher generation, or the same with another token (two appliances that each met the machine
    /// first made a token each; the store kept the one written first). What `local` observed (last DHCP, files)
    /// stays. Returns `nil` when `local` is as new as the store.
    public static func adopting(
        _ stored: MachineLifecycleRecord, into local: MachineLifecycleRecord
    ) -> MachineLifecycleRecord? {
        guard
            stored.generation > local.generation
                || (stored.generation == local.generation && stored.installToken != local.installToken)
        else { return nil }
        var next = local
        next.phase = stored.phase
        next.installToken = stored.installToken
        next.installStartedAt = stored.installStartedAt
        next.installedAt = stored.installedAt
        next.installCount = stored.installCount
        next.generation = stored.generation
        return next
    }

    /// Compares without an early exit, so response time does not tell how much of a guessed token was right.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// Stable journal `MESSAGE_ID`s of lifecycle changes (`journalctl MESSAGE_ID=…`); never change them.
public enum LifecycleMessageID {
    public static let firstSeen = "8738e85ecb4e4929ba182462f14f6f88"
    public static let installStarted = "a97ececb6db943c2aff03c94912feca2"
    public static let installed = "42c1f8b108a148329b88224a195a99af"
    public static let reinstallRequested = "3a8412bd921543c487b9d34cb34ada45"
    /// Not a change: a callback with a wrong or spent token, logged with the source address.
    public static let callbackRefused = "7abf2119b320424783685088d87a5391"
}

import Inventory
import Lifecycle
import Logging
import Synchronization

/// The live lifecycle of every machine: records in memory, written to a `MachineRecordStore`.
///
/// Phase changes are decided by `MachineLifecycle` under the lock, so two callbacks racing see one winner. Installed
/// and reinstall are durable before the request that caused them is answered, and so is a token before an answer file
/// carries it. Observations (first sight, last DHCP, last file served, install started) only mark a record dirty;
/// `flush()` writes them in batches so that a boot storm costs no disk write per packet (a crash loses at most the
/// last couple of seconds of them).
///
/// With a store that several appliances share, every write comes back with what the store holds, and `refresh()`
/// reads every record now and then: an install phase another appliance changed (a machine installed through it, a
/// reinstall asked of it) replaces this book's (`MachineLifecycle.adopting`), so a machine boots the same way from
/// every appliance.
public final class MachineLifecycleBook: Sendable {
    private struct State {
        var records: [String: MachineLifecycleRecord] = [:]
        var dirty: Set<String> = []
    }

    private let state = Mutex(State())
    private let store: any MachineRecordStore
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let makeToken: @Sendable () -> String
    /// Told the installed host names after every change, to switch their boot configs.
    private let installedChanged: @Sendable (Set<String>) -> Void

    public init(
        store: any MachineRecordStore, logger: Logger, now: @escaping @Sendable () -> Int64,
        makeToken: @escaping @Sendable () -> String = MachineLifecycleBook.randomToken,
        installedChanged: @escaping @Sendable (Set<String>) -> Void
    ) throws {
        self.store = store
        self.logger = logger
        self.now = now
        self.makeToken = makeToken
        self.installedChanged = installedChanged
        let loaded = try store.loadAll()
        state.withLock { $0.records = loaded }
        installedChanged(installedHostnames)
    }

    /// 32 random bytes from the system's generator (getrandom), as 64 hex digits.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 15, radix: 16)
        }.joined()
    }

    /// Whether other appliances write the same records (a shared store).
    public var sharesRecords: Bool { store.isShared }

    /// Host names (lower-cased) whose install called back and were not asked to reinstall since.
    public var installedHostnames: Set<String> {
        state.withLock { state in Set(state.records.filter { $0.value.phase == .installed }.keys) }
    }

    /// Every record, by lower-cased host name.
    public var records: [String: MachineLifecycleRecord] {
        state.withLock { $0.records }
    }

    /// The record of `hostname`, created (install pending, with a fresh token) when it has none.
    public func record(for hostname: String) -> MachineLifecycleRecord {
        state.withLock { state in
            Self.existingOrNew(hostname, in: &state, makeToken: makeToken)
        }
    }

    private static func existingOrNew(
        _ hostname: String, in state: inout State, makeToken: () -> String
    ) -> MachineLifecycleRecord {
        let key = hostname.lowercased()
        if let record = state.records[key] { return record }
        let record = MachineLifecycleRecord(hostname: hostname, token: makeToken())
        state.records[key] = record
        state.dirty.insert(key)
        return record
    }

    /// DHCP acknowledged `address` to `mac`, which belongs to `hostname`.
    public func observeDHCP(hostname: String, mac: MACAddress, address: IPv4Address) {
        let time = now()
        let transition: MachineLifecycle.Transition? = state.withLock { state in
            let (record, transition) = MachineLifecycle.dhcpAcknowledged(
                Self.existingOrNew(hostname, in: &state, makeToken: makeToken), address: address.description,
                mac: mac.description, at: time)
            state.records[hostname.lowercased()] = record
            state.dirty.insert(hostname.lowercased())
            return transition
        }
        if let transition { log(transition, hostname: hostname, mac: mac, extra: ["ip": "\(address)"]) }
    }

    /// A file went out whole to `hostname`. `startsInstall`: it is something only the installer asks for (its
    /// install config, an answer file), which moves a pending install to installing.
    public func observeServed(hostname: String, path: String, isConfig: Bool, startsInstall: Bool, mac: MACAddress?) {
        let time = now()
        let transition: MachineLifecycle.Transition? = state.withLock { state in
            var record = Self.existingOrNew(hostname, in: &state, makeToken: makeToken)
            if isConfig {
                record.lastConfig = path
                record.lastConfigAt = time
            } else {
                record.lastBootFile = path
                record.lastBootFileAt = time
            }
            var transition: MachineLifecycle.Transition?
            if startsInstall { (record, transition) = MachineLifecycle.installerServed(record, at: time) }
            state.records[hostname.lowercased()] = record
            state.dirty.insert(hostname.lowercased())
            return transition
        }
        if let transition { log(transition, hostname: hostname, mac: mac, extra: ["file": "\(path)"]) }
    }

    /// The installer of `hostname` called back from `client` with `token`. The change is on disk when this returns.
    public func callback(
        hostname: String, token: String, client: IPv4Address, mac: MACAddress?
    ) async -> Result<MachineLifecycleRecord, MachineLifecycle.CallbackRefusal> {
        // Another appliance may have handed out this install's token, or asked for a reinstall since.
        if store.isShared { await refresh() }
        let time = now()
        let (previous, outcome) = state.withLock {
            state -> (MachineLifecycleRecord?, Result<MachineLifecycleRecord, MachineLifecycle.CallbackRefusal>) in
            guard let record = state.records[hostname.lowercased()] else { return (nil, .failure(.noInstall)) }
            let result = MachineLifecycle.callback(record, token: token, at: time)
            if case .success(let next) = result {
                state.records[hostname.lowercased()] = next
                state.dirty.remove(hostname.lowercased())
            }
            return (record, result)
        }
        if case .success(let record) = outcome, await !persistAsDecided(record) {
            // Undo: an install that is not on disk (or that another appliance's newer change overtook) must not
            // look done; its installer may call again.
            if let previous { undo(record, to: previous) }
            return .failure(.notSaved)
        }
        switch outcome {
        case .success(let record):
            installedChanged(installedHostnames)
            log(.installed, hostname: record.hostname, mac: mac, extra: ["ip": "\(client)"])
        case .failure(let refusal):
            logRefusedCallback(hostname: hostname, client: client, mac: mac, reason: "\(refusal)")
        }
        return outcome
    }

    /// A callback that changed nothing: one warning with the source address (never the token).
    public func logRefusedCallback(hostname: String, client: IPv4Address, mac: MACAddress?, reason: String) {
        var metadata: Logger.Metadata = [
            "hostname": "\(hostname)", "ip": "\(client)", "reason": "\(reason)",
            "message_id": "\(LifecycleMessageID.callbackRefused)",
        ]
        if let mac { metadata["mac"] = "\(mac)" }
        logger.warning("Install callback refused", metadata: metadata)
    }

    /// Sends `hostname` back to install on its next network boot, with a fresh token; durable when it returns, or
    /// `nil` (and nothing changed) when the state directory refused the write.
    public func reinstall(hostname: String, mac: MACAddress?) async -> MachineLifecycleRecord? {
        let (previous, record) = state.withLock { state in
            let current = Self.existingOrNew(hostname, in: &state, makeToken: makeToken)
            let next = MachineLifecycle.reinstall(current, newToken: makeToken())
            state.records[hostname.lowercased()] = next
            state.dirty.remove(hostname.lowercased())
            return (current, next)
        }
        guard await persistAsDecided(record) else {
            undo(record, to: previous)
            return nil
        }
        installedChanged(installedHostnames)
        log(.reinstallRequested, hostname: hostname, mac: mac, extra: [:])
        return record
    }

    /// Writes the record of `hostname` now; false when the store refused. With a shared store, the record then
    /// carries the install token and phase every appliance agrees on.
    public func save(hostname: String) async -> Bool {
        let record = state.withLock { state in
            state.dirty.remove(hostname.lowercased())
            return state.records[hostname.lowercased()]
        }
        guard let record else { return true }
        return await persist(record) != nil
    }

    /// Puts `previous` back in place of `decided`, unless the record has changed since (a newer phase another
    /// appliance wrote, taken on the way).
    private func undo(_ decided: MachineLifecycleRecord, to previous: MachineLifecycleRecord) {
        state.withLock { state in
            let key = decided.hostname.lowercased()
            if state.records[key] == decided { state.records[key] = previous }
        }
    }

    /// Writes a phase change; true when the store holds it as decided (not refused, not overtaken by another
    /// appliance's change of the same machine).
    private func persistAsDecided(_ record: MachineLifecycleRecord) async -> Bool {
        guard let stored = await persist(record) else { return false }
        return stored.generation == record.generation && stored.phase == record.phase
            && stored.installToken == record.installToken
    }

    /// Writes every record changed by observations since the last flush.
    public func flush() async {
        let pending: [MachineLifecycleRecord] = state.withLock { state in
            defer { state.dirty.removeAll() }
            return state.dirty.compactMap { state.records[$0] }
        }
        do {
            adopt(try await store.save(pending))
        } catch {
            logger.error("Cannot save machine state", metadata: ["error": "\(error)", "path": "\(store.location)"])
        }
    }

    /// Reads every record of a shared store and takes the install phases other appliances changed.
    public func refresh() async {
        guard store.isShared else { return }
        do {
            adopt(Array(try store.loadAll().values))
        } catch {
            logger.warning(
                "Cannot read machine state", metadata: ["error": "\(error)", "path": "\(store.location)"])
        }
    }

    /// Writes `record`; returns what the store holds for the machine afterwards (the record itself unless another
    /// appliance's change was newer), or `nil` when the store refused the write.
    private func persist(_ record: MachineLifecycleRecord) async -> MachineLifecycleRecord? {
        do {
            let stored = try await store.save([record])
            adopt(stored)
            return stored.first ?? record
        } catch {
            logger.error("Cannot save machine state", metadata: ["error": "\(error)", "path": "\(store.location)"])
            return nil
        }
    }

    /// Takes the install phase of each of `stored` that is newer than this book's; tells `installedChanged` when a
    /// machine's installed state moved.
    private func adopt(_ stored: [MachineLifecycleRecord]) {
        guard store.isShared else { return }
        let moved = state.withLock { state -> Bool in
            var moved = false
            for record in stored {
                let key = record.hostname.lowercased()
                guard let local = state.records[key] else {
                    state.records[key] = record
                    moved = moved || record.phase == .installed
                    continue
                }
                guard let next = MachineLifecycle.adopting(record, into: local) else { continue }
                moved = moved || (next.phase == .installed) != (local.phase == .installed)
                state.records[key] = next
            }
            return moved
        }
        if moved { installedChanged(installedHostnames) }
    }

    private func log(
        _ transition: MachineLifecycle.Transition, hostname: String, mac: MACAddress?, extra: Logger.Metadata
    ) {
        var metadata = extra
        metadata["hostname"] = "\(hostname)"
        metadata["message_id"] = "\(transition.messageID)"
        if let mac { metadata["mac"] = "\(mac)" }
        logger.notice("\(transition.message)", metadata: metadata)
    }
}

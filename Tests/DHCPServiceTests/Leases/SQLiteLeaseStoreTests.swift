import Foundation
import GRDB
import Inventory
import Testing

@testable import DHCPCore
@testable import DHCPService

@Suite struct SQLiteLeaseStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leases-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("leases.sqlite").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func lease(_ address: String, _ mac: String, _ state: Lease.State = .bound, expiry: Int64 = 2_000) -> Lease {
        Lease(
            address: IPv4Address(address)!, mac: MACAddress(mac)!, state: state, expiry: expiry,
            clientIdentifier: [1, 0x52, 0x54], hostname: "web-01")
    }

    @Test func committedLeasesSurviveReopening() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = lease("10.20.0.11", "52:54:00:20:00:11")
        let second = lease("10.20.0.100", "52:54:00:99:00:01")
        try SQLiteLeaseStore(path: path).commit([.bind(first), .bind(second)])
        let reopened = try SQLiteLeaseStore(path: path)
        #expect(try reopened.loadAll() == [second, first].sorted { $0.address.description < $1.address.description })
    }

    @Test func leaseSyncSetsSQLiteSynchronous() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try SQLiteLeaseStore(path: path).synchronousSetting()
        #expect(full == 2)
        let normal = try SQLiteLeaseStore(path: path, durability: .normal)
        #expect(try normal.synchronousSetting() == 1)
        try normal.commit([.bind(lease("10.20.0.11", "52:54:00:20:00:11"))])
        #expect(try SQLiteLeaseStore(path: path).loadAll().count == 1)
    }

    @Test func aClientMovingFreesItsOldAddressButNotAQuarantine() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLeaseStore(path: path)
        let quarantined = lease("10.20.0.100", "52:54:00:99:00:01", .quarantined)
        try store.commit([.quarantine(quarantined), .bind(lease("10.20.0.101", "52:54:00:99:00:01"))])
        try store.commit([.bind(lease("10.20.0.102", "52:54:00:99:00:01"))])
        #expect(try store.loadAll().map(\.address.description) == ["10.20.0.100", "10.20.0.102"])
    }

    @Test func releaseAndExpiryDelete() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLeaseStore(path: path)
        let kept = lease("10.20.0.11", "52:54:00:20:00:11", expiry: 5_000)
        let released = lease("10.20.0.100", "52:54:00:99:00:01")
        let expired = lease("10.20.0.101", "52:54:00:99:00:02", expiry: 1_000)
        try store.commit([.bind(kept), .bind(released), .bind(expired)])
        try store.commit([.release(released)])
        #expect(try store.removeExpired(before: 1_500) == 1)
        #expect(try store.loadAll() == [kept])
    }

    @Test func releasedAndExpiredLeasesAreRememberedUntilTheirAddressIsBoundAgain() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLeaseStore(path: path)
        let released = lease("10.20.0.100", "52:54:00:99:00:01")
        let expired = lease("10.20.0.101", "52:54:00:99:00:02", expiry: 1_000)
        let quarantined = lease("10.20.0.102", "52:54:00:99:00:03", .quarantined, expiry: 1_000)
        try store.commit([.bind(released), .bind(expired), .quarantine(quarantined)])
        var ended = released
        ended.expiry = 1_200
        try store.commit([.release(ended)])
        #expect(try store.removeExpired(before: 1_500) == 2)
        #expect(try store.loadAll().isEmpty)
        let reopened = try SQLiteLeaseStore(path: path)
        #expect(
            try reopened.loadPreviousAddresses() == [
                PreviousAddress(
                    address: IPv4Address("10.20.0.101")!, mac: MACAddress("52:54:00:99:00:02")!, since: 1_000),
                PreviousAddress(
                    address: IPv4Address("10.20.0.100")!, mac: MACAddress("52:54:00:99:00:01")!, since: 1_200),
            ])
        try reopened.commit([.bind(lease("10.20.0.100", "52:54:00:99:00:04"))])
        #expect(try reopened.loadPreviousAddresses().map(\.address.description) == ["10.20.0.101"])
    }

    /// A database written before previous addresses were kept opens, keeps its leases and gains the table.
    @Test func aVersionOneDatabaseIsMigrated() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('leases-v1');
                    CREATE TABLE lease (address TEXT PRIMARY KEY, mac TEXT NOT NULL, state TEXT NOT NULL,
                                        expiry INTEGER NOT NULL, client_id BLOB, hostname TEXT);
                    INSERT INTO lease VALUES ('10.20.0.100', '52:54:00:99:00:01', 'bound', 2000, NULL, NULL);
                    """)
        }
        try old.close()
        let store = try SQLiteLeaseStore(path: path)
        #expect(try store.loadAll().map(\.address.description) == ["10.20.0.100"])
        try store.commit([.release(lease("10.20.0.100", "52:54:00:99:00:01", expiry: 1_500))])
        #expect(try store.loadPreviousAddresses().map(\.since) == [1_500])
    }

    @Test func readingDoesNotCreateADatabase() {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: (any Error).self) { try SQLiteLeaseStore(readingExisting: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
    }

    /// Commits alone never copy the log into the database file below the safety-net threshold (SQLite's default
    /// would have at 1,000 pages, inside a commit); `checkpoint()` does, completely, from its own connection.
    @Test func commitsLeaveCheckpointsToTheBackgroundCheckpoint() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteLeaseStore(path: path)
        #expect(try store.automaticCheckpointSetting() == SQLiteLeaseStore.automaticCheckpointPages)
        let before = try fileSize(path)
        for index in 0..<600 {
            let address = "10.20.\(index / 200).\(index % 200 + 1)"
            let mac = String(format: "52:54:00:20:%02x:%02x", index / 256, index % 256)
            try store.commit([.bind(lease(address, mac))])
        }
        #expect(try fileSize(path + "-wal") > 1_000 * 4_096)  // past SQLite's default threshold
        #expect(try fileSize(path) == before)
        let checkpoint = try store.checkpoint()
        #expect(checkpoint.walPages > 1_000)
        #expect(checkpoint.isComplete)
        #expect(try fileSize(path) > before)
        #expect(try SQLiteLeaseStore(path: path).loadAll().count == 600)
    }

    @Test func aReadOnlyStoreHasNothingToCheckpoint() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try SQLiteLeaseStore(path: path).commit([.bind(lease("10.20.0.11", "52:54:00:20:00:11"))])
        let checkpoint = try SQLiteLeaseStore(readingExisting: path).checkpoint()
        #expect(checkpoint == LeaseCheckpoint(walPages: 0, pagesCopied: 0))
    }
}

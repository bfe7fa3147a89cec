import Inventory
import Lifecycle
import Testing

/// Appliances sharing machine records: every phase change raises the generation, and a record takes the stored
/// install phase only when the store's is newer, keeping its own observations.
@Suite struct MachineLifecycleSharingTests {
    let fresh = MachineLifecycleRecord(hostname: "web-01", token: "token-a")

    @Test func everyPhaseChangeRaisesTheGeneration() throws {
        let (installing, _) = MachineLifecycle.installerServed(fresh, at: 100)
        #expect(fresh.generation == 0 && installing.generation == 1)
        let installed = try MachineLifecycle.callback(installing, token: "token-a", at: 200).get()
        #expect(installed.generation == 2)
        #expect(MachineLifecycle.reinstall(installed, newToken: "token-b").generation == 3)
        let (seen, _) = MachineLifecycle.dhcpAcknowledged(fresh, address: "10.0.0.5", mac: "52:54:00:00:00:01", at: 1)
        #expect(seen.generation == 0, "an observation is not a phase change")
    }

    @Test func aNewerStoredPhaseIsTakenWithTheLocalObservationsKept() throws {
        let installedElsewhere = try MachineLifecycle.callback(fresh, token: "token-a", at: 200).get()
        var local = fresh
        local.lastDHCPAt = 150
        local.lastDHCPAddress = "10.0.0.5"
        let adopted = try #require(MachineLifecycle.adopting(installedElsewhere, into: local))
        #expect(adopted.phase == .installed && adopted.installToken == nil && adopted.installCount == 1)
        #expect(adopted.generation == installedElsewhere.generation)
        #expect(adopted.lastDHCPAt == 150 && adopted.lastDHCPAddress == "10.0.0.5")
    }

    @Test func anOlderOrEqualStoredPhaseChangesNothing() throws {
        let installed = try MachineLifecycle.callback(fresh, token: "token-a", at: 200).get()
        #expect(MachineLifecycle.adopting(fresh, into: installed) == nil)
        #expect(MachineLifecycle.adopting(installed, into: installed) == nil)
    }

    @Test func twoFirstMeetingsAgreeOnTheStoredToken() throws {
        let other = MachineLifecycleRecord(hostname: "web-01", token: "token-b")
        let adopted = try #require(MachineLifecycle.adopting(other, into: fresh))
        #expect(adopted.installToken == "token-b")
    }
}

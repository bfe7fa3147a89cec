import Inventory
import Lifecycle
import Testing

/// The install-once state machine: pending → installing → installed, the token, reinstall.
@Suite struct MachineLifecycleTests {
    let fresh = MachineLifecycleRecord(hostname: "web-01", token: "secret-token")

    @Test func servingTheInstallerStartsTheInstallOnce() {
        let (installing, transition) = MachineLifecycle.installerServed(fresh, at: 100)
        #expect(installing.phase == .installing && installing.installStartedAt == 100)
        #expect(transition == .installStarted)
        let (again, second) = MachineLifecycle.installerServed(installing, at: 200)
        #expect(again == installing && second == nil)
    }

    @Test func theRightTokenInstallsAndIsSpent() throws {
        let installed = try MachineLifecycle.callback(fresh, token: "secret-token", at: 300).get()
        #expect(installed.phase == .installed && installed.installedAt == 300 && installed.installCount == 1)
        #expect(installed.installToken == nil)
        #expect(MachineLifecycle.callback(installed, token: "secret-token", at: 400) == .failure(.alreadyInstalled))
    }

    @Test func aWrongTokenChangesNothing() {
        #expect(MachineLifecycle.callback(fresh, token: "secret-tokeN", at: 1) == .failure(.wrongToken))
        #expect(MachineLifecycle.callback(fresh, token: "", at: 1) == .failure(.wrongToken))
        #expect(MachineLifecycle.callback(fresh, token: "secret-token-and-more", at: 1) == .failure(.wrongToken))
        var noToken = fresh
        noToken.installToken = nil
        #expect(MachineLifecycle.callback(noToken, token: "secret-token", at: 1) == .failure(.noInstall))
    }

    @Test func reinstallGivesAFreshTokenAndTheOldOneNoLongerWorks() throws {
        let installed = try MachineLifecycle.callback(fresh, token: "secret-token", at: 300).get()
        let again = MachineLifecycle.reinstall(installed, newToken: "second-token")
        #expect(again.phase == .pending && again.installToken == "second-token" && again.installCount == 1)
        #expect(MachineLifecycle.callback(again, token: "secret-token", at: 500) == .failure(.wrongToken))
        #expect(try MachineLifecycle.callback(again, token: "second-token", at: 600).get().installCount == 2)
    }

    @Test func displayedStates() throws {
        #expect(LifecycleDisplay.state(profile: .local, record: nil) == "local")
        #expect(LifecycleDisplay.state(profile: .install, record: nil) == "never seen")
        var seen = fresh
        seen.lastDHCPAt = 5
        #expect(LifecycleDisplay.state(profile: .install, record: seen) == "install pending")
        #expect(
            LifecycleDisplay.state(profile: .install, record: MachineLifecycle.installerServed(seen, at: 6).0)
                == "installing")
        let installed = try MachineLifecycle.callback(seen, token: "secret-token", at: 7).get()
        #expect(LifecycleDisplay.state(profile: .install, record: installed) == "installed")
        #expect(
            LifecycleDisplay.state(profile: .install, record: MachineLifecycle.reinstall(installed, newToken: "t"))
                == "reinstall pending")
    }

    @Test func theFirstDHCPAcknowledgementIsTheOnlyFirstSighting() {
        let (seen, first) = MachineLifecycle.dhcpAcknowledged(
            fresh, address: "10.0.0.5", mac: "52:54:00:00:00:01", at: 9)
        #expect(first == .firstSeen && seen.lastDHCPAt == 9 && seen.lastDHCPAddress == "10.0.0.5")
        let (_, second) = MachineLifecycle.dhcpAcknowledged(seen, address: "10.0.0.5", mac: "52:54:00:00:00:01", at: 10)
        #expect(second == nil)
    }
}

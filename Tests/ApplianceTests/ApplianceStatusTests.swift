import DHCPCore
import DHCPService
import Testing

@testable import Appliance

/// The TFTP part of `STATUS=`: present only once a datagram was dropped or a client went away.
struct ApplianceStatusTests {
    @Test func malformedTFTPDatagramsAppearOnlyWhenCounted() {
        let status = ApplianceStatus(machines: 9)
        status.record(activeLeases: nil, transfersInFlight: 1, malformedTFTPDatagrams: 0)
        #expect(status.line() == "9 machines, 1 transfers in flight; no reload yet")
        status.record(activeLeases: 2, transfersInFlight: 1, dhcp: DHCPServerStatistics(), malformedTFTPDatagrams: 7)
        #expect(
            status.line()
                == "9 machines, 2 active leases, 1 transfers in flight; TFTP dropped 7 malformed; no reload yet")
    }

    @Test func tftpClientsGoneAppearOnlyWhenCounted() {
        let status = ApplianceStatus(machines: 9)
        status.record(activeLeases: nil, transfersInFlight: 0, tftpClientsGone: 0)
        #expect(status.line() == "9 machines, 0 transfers in flight; no reload yet")
        status.record(activeLeases: nil, transfersInFlight: 0, malformedTFTPDatagrams: 2, tftpClientsGone: 3)
        #expect(
            status.line()
                == "9 machines, 0 transfers in flight; TFTP dropped 2 malformed; 3 TFTP clients gone mid-transfer; no reload yet"
        )
    }

    @Test func httpAndInstallsAppearWhenTheServiceRunsOrSomethingWasCounted() {
        let status = ApplianceStatus(machines: 9)
        status.record(activeLeases: nil, transfersInFlight: 0)
        status.record(httpConnections: nil, httpRefused: 0, installedMachines: 0)
        #expect(status.line() == "9 machines, 0 transfers in flight; no reload yet")
        status.record(httpConnections: 4, httpRefused: 7, installedMachines: 2)
        #expect(
            status.line()
                == "9 machines, 0 transfers in flight, 4 HTTP connections, 2 installed; HTTP refused 7 requests; no reload yet"
        )
    }
}

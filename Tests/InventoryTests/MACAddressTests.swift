import Testing

@testable import Inventory

@Suite struct MACAddressTests {
    @Test(arguments: ["52:54:00:ab:cd:ef", "52-54-00-AB-CD-EF", "52:54:00:Ab:cD:eF"])
    func parsesColonAndDashFormsInEitherCase(text: String) throws {
        let mac = try #require(MACAddress(text))
        #expect(mac.description == "52:54:00:ab:cd:ef")
        #expect(mac.hyphenated == "52-54-00-ab-cd-ef")
        #expect(mac.hardwareTypeName == "01-52-54-00-ab-cd-ef")
        #expect(mac.octets == [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef])
    }

    @Test(arguments: [
        "", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52:54:00:ab:cd:eg", "5254.00ab.cdef",
        "52:54:00:ab:cd-ef", "52:54:0:ab:cd:ef", "525400abcdef", "52:54:00:ab:cd:ef ",
    ])
    func rejectsMalformedText(text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test func recognisesGroupAndZeroAddresses() throws {
        #expect(try #require(MACAddress("01:00:5e:00:00:01")).isMulticast)
        #expect(try #require(MACAddress("ff:ff:ff:ff:ff:ff")).isMulticast)
        #expect(try #require(MACAddress("00:00:00:00:00:00")).isZero)
        #expect(!(try #require(MACAddress("52:54:00:00:00:01")).isMulticast))
    }
}

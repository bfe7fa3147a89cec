import DHCPCore

/// `MESSAGE_ID`s of lease store outages (`journalctl MESSAGE_ID=…` finds every full disk); never change them.
extension DHCPMessageID {
    /// The lease store refused a commit: no lease is acknowledged until it works again.
    public static let leaseStoreFailing = "74190d2f76a94e65a6c5d307093a1886"
    /// The lease store commits again after an outage.
    public static let leaseStoreRecovered = "0f7ae34e47ca4467aa730adc0a233ded"
}

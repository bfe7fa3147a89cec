import DHCPCore

/// Stable journal `MESSAGE_ID`s of the DHCP events an admin queries (`journalctl MESSAGE_ID=…`); never change them.
public enum DHCPMessageID {
    /// A DHCPACK left after its lease was stored.
    public static let leaseGranted = "f69b3a8f6f614a4486cc8707dd5315ae"
    /// A client declined its address: something else answers on it.
    public static let leaseDeclined = "5de8e25b214f44098f13586aa56d30f1"
}

/// Stable journal `MESSAGE_ID`s of the TFTP events an admin queries (`journalctl MESSAGE_ID=…`); never change them.
public enum TFTPMessageID {
    /// A rendered boot config (pxelinux, GRUB or iPXE) reached its machine.
    public static let bootConfigServed = "b3e858963e834e949a7ec25a278e8764"
    /// Any other file transfer completed.
    public static let transferCompleted = "80f11223b6a14f389ec2ed2494623732"
    /// A transfer failed (timeouts, read errors); a client's own abort or size probe is not a failure.
    public static let transferFailed = "c6559d8e62e24ca392ab912b618a5e81"
}

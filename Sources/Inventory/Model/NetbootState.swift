/// What a machine gets when it network-boots.
public enum NetbootState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Serve the installer named by the machine's template.
    case install
    /// Tell the boot loader to boot the local disk (pxelinux `LOCALBOOT 0`, GRUB and iPXE `exit`).
    case local
}

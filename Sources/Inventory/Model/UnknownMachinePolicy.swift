/// What a MAC that no profile claims is served (`pxelinux.cfg/default`, GRUB's `grub.cfg`, iPXE's default script).
public enum UnknownMachinePolicy: Sendable, Hashable {
    /// Boot the local disk: the safe default, so a stray machine on the rack network is never reinstalled.
    case localBoot
    /// Boot a named template, such as a discovery or rescue image.
    case template(Located<String>)
}

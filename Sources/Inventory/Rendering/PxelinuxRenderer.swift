/// Renders a pxelinux / syslinux.efi config (syslinux 6.04 syntax).
///
/// pxelinux reads one directive per line and passes `APPEND` verbatim to the kernel; values were checked for control
/// characters at load time, so no value can add a directive. Paths are relative to the TFTP root, where
/// `pxelinux.0` and `syslinux.efi` sit.
public enum PxelinuxRenderer {
    public static func render(_ entry: BootEntry, comment: String) -> String {
        var lines = ["# " + comment]
        switch entry {
        case .localDisk:
            lines += [
                "DEFAULT local",
                "PROMPT 0",
                "TIMEOUT 0",
                "",
                "LABEL local",
                "    LOCALBOOT 0",
            ]
        case .linux(let boot):
            lines += [
                "DEFAULT install",
                "PROMPT 0",
                "TIMEOUT 0",
                "",
                "LABEL install",
                "    MENU LABEL " + boot.title,
                "    LINUX " + boot.kernel,
            ]
            if !boot.initrds.isEmpty {
                lines.append("    INITRD " + boot.initrds.joined(separator: ","))
            }
            if !boot.commandLine.isEmpty {
                lines.append("    APPEND " + boot.commandLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

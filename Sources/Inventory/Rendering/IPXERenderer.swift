/// Renders an iPXE script.
///
/// Paths start with `/` so iPXE resolves them against the script's own URI (same scheme and server), whatever
/// directory the script was fetched from. Each initrd is also named on the kernel line (`initrd=<name>`), which
/// EFI-stub kernels before Linux 5.7 need to find it (Debian 12's iPXE predates the LoadFile2 initrd). iPXE has no
/// quoting and expands every `${…}`, so validation keeps `${` and its separators (`||`, `&&`, `;`, `#…`) out.
public enum IPXERenderer {
    public static func render(_ entry: BootEntry, comment: String) -> String {
        var lines = ["#!ipxe", "# " + comment]
        switch entry {
        case .localDisk:
            lines += [
                "# Boot the local disk. Many BIOSes halt when a ROM exits, so BIOS iPXE boots the first disk itself;",
                "# UEFI firmware moves on to its next boot entry when iPXE exits with an error.",
                "iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||",
                "exit 1",
            ]
        case .linux(let boot):
            let initrdArguments = boot.initrds.map { "initrd=" + baseName($0) }
            let kernelLine =
                ["kernel", "/" + boot.kernel] + initrdArguments
                + (boot.commandLine.isEmpty ? [] : [boot.commandLine])
            // imgfree: newer iPXE hands every loaded image (this script too) to the kernel as initrd.
            lines += ["echo Rackboot: " + boot.title, "imgfree", kernelLine.joined(separator: " ")]
            lines += boot.initrds.map { "initrd /" + $0 }
            lines.append("boot")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

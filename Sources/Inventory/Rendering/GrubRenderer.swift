/// Renders a GRUB 2 config for a machine booted through GRUB over the network (UEFI, Secure Boot shim chain).
///
/// Uses `linux`/`initrd`, not the `linuxefi`/`initrdefi` that GRUB 2.06 dropped (docs/protocol.md, "GRUB: linux and
/// initrd, not linuxefi"). GRUB's script lexer expands `$` and treats `;`, `|`, `&`, `<`, `>`, braces and a leading `#`
/// specially, so every word that holds anything but plain characters is single-quoted; the kernel receives it
/// unchanged. (Quotes and backslashes would reach the kernel with backslashes added, so validation keeps them out of
/// command lines.)
public enum GrubRenderer {
    public static func render(_ entry: BootEntry, comment: String) -> String {
        (["# " + comment] + body(entry)).joined(separator: "\n") + "\n"
    }

    /// The shared `grub/grub.cfg`. Upstream GRUB ≥ 2.06 looks for `grub.cfg-01-<mac>` by itself, but Debian's signed
    /// network image (`grubnetx64.efi`, prefix `/grub`) embeds a config that only sources `$prefix/grub.cfg`; so this
    /// file hands over to the MAC's own file when there is one, and otherwise boots `fallback` (unknown machines).
    public static func renderDispatcher(fallback: BootEntry, comment: String) -> String {
        let perMAC = "$prefix/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6"
        let lines =
            [
                "# " + comment,
                "# Debian's network GRUB reads this file; it loads the file rendered for this machine's MAC.",
                "if regexp --set=1:m1 --set=2:m2 --set=3:m3 --set=4:m4 --set=5:m5 --set=6:m6 "
                    + "'^(..):(..):(..):(..):(..):(..)$' \"$net_default_mac\"; then",
                "    if [ -s \"\(perMAC)\" ]; then",
                "        configfile \"\(perMAC)\"",
                "    fi",
                "fi",
                "",
                "# No file for this MAC: a machine without a profile.",
            ] + body(fallback)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func body(_ entry: BootEntry) -> [String] {
        var lines: [String] = []
        switch entry {
        case .localDisk:
            lines += [
                "# Leave GRUB so the firmware boots the next device (the local disk).",
                "exit",
            ]
        case .linux(let boot):
            let arguments = boot.commandLine.split(separator: " ").map { quoted(String($0)) }
            lines += [
                "set default=0",
                "set timeout=0",
                "",
                "menuentry " + quotedAlways(boot.title) + " {",
                "    linux " + ([quoted("/" + boot.kernel)] + arguments).joined(separator: " "),
            ]
            if !boot.initrds.isEmpty {
                lines.append("    initrd " + boot.initrds.map { quoted("/" + $0) }.joined(separator: " "))
            }
            lines.append("}")
        }
        return lines
    }

    /// The word as GRUB must see it to pass it on literally.
    static func quoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/=:,@%^")
        return word.allSatisfy(plain.contains) && !word.isEmpty ? word : quotedAlways(word)
    }

    /// Single quotes keep everything literal in GRUB; a quote itself is closed, escaped and reopened.
    static func quotedAlways(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Journal field names from swift-log metadata keys: `mac` → `MAC`, `message_id` → `MESSAGE_ID`, so that
/// `journalctl MAC=52:54:00:…` finds every entry about one machine.
enum JournalField {
    /// Upper-case letters, digits and `_`, starting with a letter, at most 64 characters (sd_journal_send(3));
    /// `nil` for keys that cannot be made into one, or that would override trusted fields (leading `_`).
    static func name(forMetadataKey key: String) -> String? {
        var name = String(key.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        guard let first = name.first, first.isLetter else { return nil }
        if name.count > 64 { name = String(name.prefix(64)) }
        return reserved.contains(name) ? "RACKBOOT_" + name : name
    }

    /// Fields the handler sets itself; metadata with these names is renamed rather than overriding them.
    static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE",
        "CODE_FUNC",
    ]
}

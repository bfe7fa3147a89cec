import DHCPCore

/// What one `LeaseStore.checkpoint` achieved: pages in the write-ahead log and how many of them are in the database
/// file now.
public struct LeaseCheckpoint: Sendable, Hashable {
    public let walPages: Int
    public let pagesCopied: Int

    public init(walPages: Int, pagesCopied: Int) {
        self.walPages = walPages
        self.pagesCopied = pagesCopied
    }

    /// Every committed page is in the database file, so the next commit rewinds the log to its start.
    public var isComplete: Bool { pagesCopied >= walPages }
}

/// Where a requested file comes from, decided without touching the disk.
public enum TFTPFileLocation: Hashable, Sendable {
    /// A boot config rendered from the inventory snapshot; served from memory.
    case rendered(TFTPFileName, contents: [UInt8])
    /// Not rendered: look for it under the jailed root with `TFTPRootDirectory.open`.
    case underRoot(TFTPFileName)
}

/// A request's file, ready to stream: its normalised name, where it came from, and its bytes as the transfer
/// sends them (netascii already applied).
public struct TFTPOpenedSource: Sendable {
    public let name: TFTPFileName
    /// True for an inventory-rendered boot config, false for a file under the root.
    public let isRendered: Bool
    public let source: any TFTPFileSource & Sendable

    public init(name: TFTPFileName, isRendered: Bool, source: any TFTPFileSource & Sendable) {
        self.name = name
        self.isRendered = isRendered
        self.source = source
    }
}

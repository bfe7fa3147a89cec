import Inventory
import TFTPCore

/// Turns a read request into a byte source: rendered inventory file first, then the jailed root, with the netascii
/// conversion applied when the request asks for it (RFC 1350 §5).
///
/// Opening touches the disk (realpath, open, fstat) but never reads the file: netascii is converted as it is sent,
/// so no request costs more than an open.
public struct TFTPFileProvider: Sendable {
    /// Where files that the inventory does not render are looked up; `nil` serves rendered files only.
    public let root: TFTPRootDirectory?

    public init(root: TFTPRootDirectory?) {
        self.root = root
    }

    /// The source for `request`: rendered file, else the root; `.notFound` when neither has it.
    public func open(_ request: TFTPRequest, in inventory: Inventory) throws(TFTPFileAccessError) -> TFTPOpenedSource {
        switch try TFTPFileResolver.locate(request.filename, in: inventory) {
        case .rendered(let name, let contents):
            return Self.prepare(TFTPInMemoryFile(bytes: contents), name: name, isRendered: true, mode: request.mode)
        case .underRoot(let name):
            guard let root else { throw .notFound(name) }
            return Self.prepare(try root.open(name), name: name, isRendered: false, mode: request.mode)
        }
    }

    private static func prepare<Source: TFTPSizedFileSource & Sendable>(
        _ source: Source, name: TFTPFileName, isRendered: Bool, mode: TFTPTransferMode
    ) -> TFTPOpenedSource {
        guard mode == .netascii else { return TFTPOpenedSource(name: name, isRendered: isRendered, source: source) }
        return TFTPOpenedSource(name: name, isRendered: isRendered, source: TFTPNetasciiFileSource(encoding: source))
    }
}

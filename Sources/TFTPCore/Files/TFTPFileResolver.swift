import Inventory

/// The pure half of file resolution: normalise the requested name, then prefer the inventory's rendered files over the
/// disk, so a profile's `pxelinux.cfg/01-<mac>` always wins over a stale file left in the root (docs/protocol.md, "File
/// names and the jail").
public enum TFTPFileResolver {
    /// Normalises `requestedName` and says whether the inventory renders it or the root must be asked.
    public static func locate(
        _ requestedName: String, in inventory: Inventory
    ) throws(TFTPFileAccessError) -> TFTPFileLocation {
        let name: TFTPFileName
        do {
            name = try TFTPFileName(normalizing: requestedName)
        } catch {
            throw .invalidName(error)
        }
        if let contents = inventory.renderedFile(at: name.path) {
            return .rendered(name, contents: contents)
        }
        return .underRoot(name)
    }
}

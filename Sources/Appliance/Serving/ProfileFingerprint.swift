import Foundation

/// Names, sizes and modification times of the profile files: when it changes, the profiles changed.
///
/// Polled rather than watched with inotify: it also catches files replaced by `rsync`, `git checkout` or an editor's
/// rename-over-write, and changes on network file systems where inotify sees nothing (docs/protocol.md, "Watching the
/// profile files"). The cost is a few `stat` calls every couple of seconds.
struct ProfileFingerprint: Equatable, Sendable {
    private var entries: [String: [Double]]

    init(directory: String) {
        var entries: [String: [Double]] = [:]
        for folder in [directory, directory + "/" + ProfileDirectory.templateSubdirectory] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = folder + "/" + name
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.doubleValue ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                entries[path] = [size, modified]
            }
        }
        self.entries = entries
    }
}

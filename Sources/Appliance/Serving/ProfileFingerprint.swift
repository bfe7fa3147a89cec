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
        let templates = directory + "/" + ProfileDirectory.templateSubdirectory
        // Answer files live in folders under templates/; any file there counts.
        let answerFiles = (FileManager.default.subpaths(atPath: templates) ?? []).filter { $0.contains("/") }
        let yamlFiles = [directory, templates].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { folder + "/" + $0 }
        }
        for path in yamlFiles + answerFiles.map({ templates + "/" + $0 }) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.doubleValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            entries[path] = [size, modified]
        }
        self.entries = entries
    }
}

import Foundation

/// A file under PocketBase's `storage/` (`<collectionId>/<recordId>/<name>`, thumbnails in `thumbs_<name>/`):
/// Swiftbase lays files out the same way, so each is copied to the same relative path.
struct StorageFile: Sendable {
    let url: URL
    let relativePath: String
    let size: Int64

    /// Every regular file under `root`, in a stable order; none when there is no such folder. PocketBase's
    /// file store writes a `<name>.attrs` metadata file beside each file: those are left out (Swiftbase
    /// sniffs types from the bytes).
    static func list(in root: URL) throws -> [StorageFile] {
        guard FileManager.default.fileExists(atPath: root.path),
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [])
        else { return [] }
        let prefix = root.resolvingSymlinksInPath().path + "/"
        var found: [StorageFile] = []
        var paths = Set<String>()
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let full = url.resolvingSymlinksInPath().path
            guard full.hasPrefix(prefix) else { continue }
            let relative = String(full.dropFirst(prefix.count))
            paths.insert(relative)
            found.append(StorageFile(url: url, relativePath: relative, size: Int64(values.fileSize ?? 0)))
        }
        return found.filter { file in
            !(file.relativePath.hasSuffix(".attrs") && paths.contains(String(file.relativePath.dropLast(6))))
        }.sorted { $0.relativePath < $1.relativePath }
    }
}

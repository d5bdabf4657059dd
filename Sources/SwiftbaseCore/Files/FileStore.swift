public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where uploaded files live, addressed by relative paths of safe components
/// (`<collectionId>/<recordId>/<name>`, thumbs under `thumbs_<name>/`). Local disk now; S3 later.
public protocol FileStore: Sendable {
    func write(_ data: [UInt8], to path: String) throws
    func read(_ path: String) throws -> [UInt8]?
    /// Size and modification time, or nil when there is no such file.
    func attributes(of path: String) -> (size: Int, modified: Date)?
    /// Removes a file or a whole folder; a missing one is not an error.
    func remove(_ path: String)
    /// The file on the local disk, when the store keeps it there (downloads then stream it); nil otherwise.
    func localURL(of path: String) -> URL?
}

extension FileStore {
    public func localURL(of path: String) -> URL? { nil }
}

/// A `FileStore` on the local disk under `root` (`DIR/storage`). Paths are checked component by component
/// — no empty, `.` or `..` parts, no NUL — so nothing resolves outside the root.
public struct LocalFileStore: FileStore {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public static func isSafeComponent(_ part: Substring) -> Bool {
        !part.isEmpty && part != "." && part != ".." && !part.contains("\0") && !part.contains("/")
            && !part.contains("\\")
    }

    func url(_ path: String) throws -> URL {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy(Self.isSafeComponent) else {
            throw SwiftbaseError(
                .badRequest, "Something went wrong while processing your request.", debugDetail: "unsafe storage path")
        }
        return parts.reduce(root) { $0.appendingPathComponent(String($1)) }
    }

    public func write(_ data: [UInt8], to path: String) throws {
        let target = try url(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written aside, then renamed: a reader never sees half a file.
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".tmp-" + UUID().uuidString)
        try Data(data).write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw SwiftbaseError(.internalError, "Failed to upload file.", debugDetail: "rename failed: \(errno)")
        }
    }

    public func read(_ path: String) throws -> [UInt8]? {
        let target = try url(path)
        guard FileManager.default.fileExists(atPath: target.path) else { return nil }
        return Array(try Data(contentsOf: target))
    }

    public func attributes(of path: String) -> (size: Int, modified: Date)? {
        guard let target = try? url(path),
            let attributes = try? FileManager.default.attributesOfItem(atPath: target.path),
            (attributes[.type] as? FileAttributeType) == .typeRegular
        else { return nil }
        return ((attributes[.size] as? NSNumber)?.intValue ?? 0, attributes[.modificationDate] as? Date ?? Date())
    }

    public func localURL(of path: String) -> URL? {
        guard let target = try? url(path), FileManager.default.fileExists(atPath: target.path) else { return nil }
        return target
    }

    public func remove(_ path: String) {
        guard let target = try? url(path) else { return }
        try? FileManager.default.removeItem(at: target)
    }
}

public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `FileStore` on the local disk under `root` (`DIR/storage`). Paths are checked component by component
/// — no empty, `.` or `..` parts, no NUL — so nothing resolves outside the root. Disk work runs as
/// `BlockingWork`, off the threads that serve requests.
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

    public func write(_ data: [UInt8], to path: String) async throws {
        let target = try url(path)
        try await BlockingWork.run { try Self.write(data, to: target) }
    }

    public func read(_ path: String) async throws -> [UInt8]? {
        let target = try url(path)
        return try await BlockingWork.run { () throws -> [UInt8]? in
            guard FileManager.default.fileExists(atPath: target.path) else { return nil }
            return Array(try Data(contentsOf: target))
        }
    }

    public func attributes(of path: String) async -> StoredFileAttributes? {
        guard let target = try? url(path) else { return nil }
        return await BlockingWork.run { Self.attributes(at: target) }
    }

    public func localURL(of path: String) async -> URL? {
        guard let target = try? url(path) else { return nil }
        return await BlockingWork.run { FileManager.default.fileExists(atPath: target.path) ? target : nil }
    }

    public func remove(_ path: String) async {
        guard let target = try? url(path) else { return }
        await BlockingWork.run { try? FileManager.default.removeItem(at: target) }
    }

    // MARK: - Blocking helpers

    /// Written aside, then renamed: a reader never sees half a file.
    static func write(_ data: [UInt8], to target: URL) throws {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".tmp-" + UUID().uuidString)
        try Data(data).write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw SwiftbaseError(.internalError, "Failed to upload file.", debugDetail: "rename failed: \(errno)")
        }
    }

    package static func attributes(at target: URL) -> StoredFileAttributes? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path),
            (attributes[.type] as? FileAttributeType) == .typeRegular
        else { return nil }
        return StoredFileAttributes(
            size: (attributes[.size] as? NSNumber)?.intValue ?? 0, modified: attributes[.modificationDate] as? Date ?? Date())
    }
}

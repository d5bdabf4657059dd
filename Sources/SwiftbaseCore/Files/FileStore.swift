public import Foundation

/// Where uploaded files live, addressed by relative paths of safe components (`<collectionId>/<recordId>/<name>`,
/// thumbs under `<collectionId>/<recordId>/thumbs_<name>/<size>_<name>`, PocketBase's layout): the local disk
/// (`LocalFileStore`) or an S3-compatible bucket. Every call may wait on the disk or the network, so all are
/// async; none blocks the caller's thread.
public protocol FileStore: Sendable {
    func write(_ data: [UInt8], to path: String) async throws
    func read(_ path: String) async throws -> [UInt8]?
    /// Size and modification time, or nil when there is no such file.
    func attributes(of path: String) async -> StoredFileAttributes?
    /// Removes a file, or every file under a folder; a missing one is not an error.
    func remove(_ path: String) async
    /// The file on the local disk, when the store keeps it there (downloads then read it in chunks); nil otherwise.
    func localURL(of path: String) async -> URL?
    /// The bytes of `range` of a file, a chunk at a time (a download of a large object never sits in memory
    /// whole). Throws when the file is missing.
    func chunks(of path: String, range: ClosedRange<Int>) async throws -> any AsyncSequence<[UInt8], any Error>
}

/// What a store knows of a file without reading it.
public struct StoredFileAttributes: Sendable, Equatable {
    public let size: Int
    public let modified: Date

    public init(size: Int, modified: Date) {
        self.size = size
        self.modified = modified
    }
}

extension FileStore {
    public func localURL(of path: String) async -> URL? { nil }

    /// Reads the whole file and hands over the range in one chunk: for stores whose files are small or local.
    public func chunks(of path: String, range: ClosedRange<Int>) async throws -> any AsyncSequence<[UInt8], any Error> {
        guard let data = try await read(path), range.upperBound < data.count else {
            throw SwiftbaseError(.notFound, "The requested resource wasn't found.", debugDetail: "stored file gone")
        }
        let chunk = Array(data[range])
        return AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield(chunk)
            continuation.finish()
        }
    }
}

import AsyncHTTPClient
public import Foundation
import NIOCore
public import SwiftbaseCore

/// A `FileStore` on an S3-compatible bucket, with PocketBase's keys (the store's paths as they are), so a bucket
/// written by PocketBase reads here and the other way round. Objects are stored with their sniffed content type,
/// as PocketBase stores them; downloads stream a byte range at a time.
public struct S3FileStore: FileStore {
    public let client: S3Client

    public init(settings: S3Settings) {
        client = S3Client(settings: settings)
    }

    public func write(_ data: [UInt8], to path: String) async throws {
        try await client.put(
            path, body: .bytes(ByteBuffer(bytes: data)), contentType: ContentSniffer.mediaType(of: data),
            timeout: S3Client.transferTimeout)
    }

    public func read(_ path: String) async throws -> [UInt8]? {
        guard let response = try await client.get(path, timeout: S3Client.transferTimeout) else { return nil }
        var out: [UInt8] = []
        for try await chunk in response.body { out += chunk.readableBytesView }
        return out
    }

    public func attributes(of path: String) async -> StoredFileAttributes? {
        try? await client.head(path)
    }

    /// Deletes the object, then everything under `path/` (a record's folder, a file's thumbs).
    public func remove(_ path: String) async {
        try? await client.delete(path)
        guard let objects = try? await client.list(prefix: path + "/") else { return }
        for object in objects { try? await client.delete(object.key) }
    }

    /// Asks the bucket for the range only, and hands its answer on as it arrives.
    public func chunks(of path: String, range: ClosedRange<Int>) async throws -> any AsyncSequence<[UInt8], any Error> {
        guard let response = try await client.get(path, range: range, timeout: S3Client.transferTimeout) else {
            throw SwiftbaseError(.notFound, "The requested resource wasn't found.", debugDetail: "S3 object gone")
        }
        return response.body.map { Array($0.readableBytesView) }
    }

    /// Every object under `prefix` (`""`: the whole bucket), in key order.
    public func list(prefix: String) async throws -> [(key: String, size: Int, modified: Date)] {
        try await client.list(prefix: prefix).map { ($0.key, $0.size, $0.modified) }
    }

    /// Stores the file at `url` under `key`, read from the disk as it is sent (a backup can be several GiB).
    public func upload(fileAt url: URL, to key: String, contentType: String) async throws {
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber
        let length = size?.int64Value ?? 0
        try await client.put(
            key, body: .stream(FileChunks(url: url), length: .known(length)), contentType: contentType,
            timeout: S3Client.transferTimeout)
    }

    /// Writes the object `key` to the file at `url`, a chunk at a time; false when there is no such object.
    public func download(_ key: String, to url: URL) async throws -> Bool {
        guard let response = try await client.get(key, timeout: S3Client.transferTimeout) else { return false }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw SwiftbaseError(.internalError, "Failed to download the backup.", debugDetail: "cannot create \(url.path)")
        }
        let box = SendableHandle(handle: try FileHandle(forWritingTo: url))
        defer { try? box.handle.close() }
        for try await chunk in response.body {
            let bytes = Data(chunk.readableBytesView)
            try await BlockingWork.run { try box.handle.write(contentsOf: bytes) }
        }
        return true
    }
}

/// A file's bytes as an async sequence of buffers, read off the request threads.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    static let chunkSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let error: (any Error)?

        mutating func next() async throws -> ByteBuffer? {
            if let error { throw error }
            guard let handle else { return nil }
            let box = SendableHandle(handle: handle)
            let data = try await BlockingWork.run { try box.handle.read(upToCount: FileChunks.chunkSize) ?? Data() }
            if data.isEmpty {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: url), error: nil)
        } catch {
            return AsyncIterator(handle: nil, error: error)
        }
    }
}

/// A file handle read by one sequence at a time, from the blocking pool only.
private struct SendableHandle: @unchecked Sendable {
    let handle: FileHandle
}

import Foundation
import Hummingbird
import SwiftbaseCore

/// What a download sends: bytes already in memory (a thumbnail), a file on disk, or a file of another store (an
/// S3 bucket) — the last two read a chunk at a time while the response is written, so a large upload or a backup
/// of several GiB never sits in memory whole.
enum FileContent: Sendable {
    case bytes([UInt8])
    case file(URL, size: Int)
    case stored(any FileStore, String, size: Int)

    /// Bytes read per step of a file, off the event loops.
    static let chunkSize = 256 * 1024

    var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .file(_, let size): size
        case .stored(_, _, let size): size
        }
    }

    /// Writes `range` of the content. A file that shrank meanwhile ends the body early (the client sees a short
    /// body against the length announced); a file that cannot be opened any more throws. `@concurrent` as the
    /// body closure that calls it is: the writer may not cross into the caller's isolation.
    @concurrent func write(_ range: ClosedRange<Int>, to writer: inout any ResponseBodyWriter) async throws {
        switch self {
        case .bytes(let bytes):
            try await writer.write(ByteBuffer(bytes: bytes[range]))
        case .stored(let store, let path, _):
            for try await chunk in try await store.chunks(of: path, range: range) {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
        case .file(let url, _):
            let reader = try await BlockingWork.run { try ChunkReader(url) }
            defer { reader.close() }
            var offset = range.lowerBound
            while offset <= range.upperBound {
                let length = min(Self.chunkSize, range.upperBound - offset + 1)
                let start = offset
                let chunk = try await BlockingWork.run { try reader.read(at: start, count: length) }
                if chunk.isEmpty { return }
                try await writer.write(ByteBuffer(bytes: chunk))
                offset += chunk.count
            }
        }
    }

    /// The first bytes, for content sniffing.
    static func prefix(of url: URL, count: Int) throws -> [UInt8] {
        let reader = try ChunkReader(url)
        defer { reader.close() }
        return try reader.read(at: 0, count: count)
    }
}

/// A file handle used by one download at a time, from the blocking pool only.
private final class ChunkReader: @unchecked Sendable {
    private let handle: FileHandle

    init(_ url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        try handle.seek(toOffset: UInt64(offset))
        return Array(try handle.read(upToCount: count) ?? Data())
    }

    func close() {
        try? handle.close()
    }
}

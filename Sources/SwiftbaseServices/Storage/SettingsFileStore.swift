public import Foundation
public import SwiftbaseCore

/// The record files' store as the settings say now: the S3 bucket of `s3` while it is enabled, else the local
/// disk. Decided on every call, so saving the settings switches uploads, downloads, thumbnails and deletes at
/// once, without a restart. Files already stored stay where they are (PocketBase does not move them either).
public struct SettingsFileStore: FileStore {
    public let local: LocalFileStore
    let s3: @Sendable () -> S3Settings

    public init(local: LocalFileStore, s3: @escaping @Sendable () -> S3Settings) {
        self.local = local
        self.s3 = s3
    }

    /// The store the next call goes to.
    public var current: any FileStore {
        let settings = s3()
        return settings.enabled ? S3FileStore(settings: settings) : local
    }

    public func write(_ data: [UInt8], to path: String) async throws { try await current.write(data, to: path) }
    public func read(_ path: String) async throws -> [UInt8]? { try await current.read(path) }
    public func attributes(of path: String) async -> StoredFileAttributes? { await current.attributes(of: path) }
    public func remove(_ path: String) async { await current.remove(path) }
    public func localURL(of path: String) async -> URL? { await current.localURL(of: path) }

    public func chunks(of path: String, range: ClosedRange<Int>) async throws -> any AsyncSequence<[UInt8], any Error> {
        try await current.chunks(of: path, range: range)
    }
}

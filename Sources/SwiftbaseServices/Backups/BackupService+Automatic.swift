public import Foundation

extension BackupService {
    /// The name prefix of the backups the `backups.cron` job writes (PocketBase's; the `@` keeps them apart
    /// from the names a user may give, which are `[a-z0-9_-]` only).
    public static let automaticPrefix = "@auto_pb_backup_"

    /// Writes an automatic backup, `@auto_pb_backup_<app name>_<UTC time>.zip`, then keeps only the newest
    /// `maxKeep` automatic backups (by modification time; 0 keeps them all), as PocketBase's backup cron does.
    /// Backups created or uploaded by hand are never deleted. Returns the new backup's key.
    @discardableResult
    public func createAutomatic(maxKeep: Int, now: Date = Date()) async throws -> String {
        let key = defaultName(prefix: Self.automaticPrefix, now: now)
        try await write(key, progress: { _, _ in })
        if maxKeep > 0 { try await deleteAutomatic(keeping: maxKeep) }
        return key
    }

    /// Deletes the automatic backups beyond the newest `keep`.
    func deleteAutomatic(keeping keep: Int) async throws {
        let automatic = try await list().filter { $0.key.hasPrefix(Self.automaticPrefix) }
        guard automatic.count > keep else { return }
        let newestFirst = automatic.sorted { a, b in
            a.modified != b.modified ? a.modified > b.modified : a.key > b.key
        }
        for item in newestFirst.dropFirst(keep) { try await delete(item.key) }
    }
}

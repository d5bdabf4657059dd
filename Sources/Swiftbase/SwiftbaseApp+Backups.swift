public import SwiftbaseServices
import SwiftbaseHTTP

extension SwiftbaseApp {
    /// The data directory's backups (`swiftbase backup`, `/api/backups`).
    public var backups: BackupService { services.backups }
}

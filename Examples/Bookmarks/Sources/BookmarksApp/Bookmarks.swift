import Swiftbase

/// The bookmarks app: what it adds to a Swiftbase app. `bookmarks` (the executable) and the tests both call
/// `install`, so what is tested is what runs.
public enum Bookmarks {
    /// Adds the hooks, the export route and the expiry service to `app`.
    public static func install(on app: SwiftbaseApp, expiryInterval: Duration = .seconds(60)) {
        let records = app.services.records
        BookmarkHooks.install(on: app.hooks, records: records)
        app.addRoutes { router in BookmarkRoutes.install(on: router, records: records) }
        app.addService(ExpiryService(records: records, interval: expiryInterval, logger: app.logger))
    }
}

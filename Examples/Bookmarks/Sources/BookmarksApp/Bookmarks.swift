import Swiftbase

/// The bookmarks app, as one module: its collections, hooks, export route and expiry service. The
/// executable and the tests both open the app with it, so what is tested is what runs.
public struct Bookmarks: SwiftbaseModule {
    /// How often expired bookmarks are swept.
    public var expiryInterval: Duration

    public init(expiryInterval: Duration = .seconds(60)) {
        self.expiryInterval = expiryInterval
    }

    public var migrations: [Migration] { BookmarksMigrations.all }

    public func install(on app: SwiftbaseApp) throws {
        let records = app.services.records
        BookmarkHooks.install(on: app.hooks, records: records)
        app.addRoutes { router in BookmarkRoutes.install(on: router, records: records) }
        app.addService(ExpiryService(records: records, interval: expiryInterval, logger: app.logger))
    }
}

/// A part of an app that plugs into Swiftbase through the public seams — its collections (migrations), record
/// hooks, routes and services — so it is added with one line instead of by editing the composition. Apps
/// write their features as modules; Swiftbase's own optional parts (GraphQL, MQTT, functions) are added
/// the same way.
///
/// ```swift
/// struct Bookmarks: SwiftbaseModule {
///     var migrations: [Migration] { [createBookmarks] }
///     func install(on app: SwiftbaseApp) throws {
///         app.hooks.onRecordCreate("bookmarks") { event in … }
///         app.addRoutes { router in … }
///         app.addService(ExpiryService(records: app.services.records))
///     }
/// }
/// let app = try await SwiftbaseApp.open(configuration, modules: [Bookmarks()])
/// ```
public protocol SwiftbaseModule: Sendable {
    /// The module's migrations, applied at `open` after the app's own and those of the modules before it.
    var migrations: [Migration] { get }

    /// Adds the module's hooks, routes and services. Called once, by `SwiftbaseApp.open`, after every
    /// migration was applied and before the app runs.
    func install(on app: SwiftbaseApp) throws
}

extension SwiftbaseModule {
    public var migrations: [Migration] { [] }
}

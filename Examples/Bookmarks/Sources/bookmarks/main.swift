import BookmarksApp
import Foundation
import Swiftbase

// `swift run bookmarks [data directory] [port]`: Swiftbase's whole API plus the bookmarks app, until SIGTERM.
let arguments = CommandLine.arguments.dropFirst()
var configuration = SwiftbaseConfiguration(dataDirectory: arguments.first ?? "./bookmarks_data")
configuration.port = arguments.dropFirst().first.flatMap(Int.init) ?? 8090
let app = try await SwiftbaseApp.open(configuration, modules: [Bookmarks()])
let host = configuration.host
try await app.run { port in print("bookmarks: serving on http://\(host):\(port)") }

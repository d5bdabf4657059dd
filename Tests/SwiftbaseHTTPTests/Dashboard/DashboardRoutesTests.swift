import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwiftbaseCore
@testable import SwiftbaseHTTP
import SwiftbaseTesting
import Testing

/// The dashboard as the binary serves it: the linked pack is exactly `Dashboard/`, files get their media types
/// and revalidation headers, app paths fall back to `index.html`, missing files are PocketBase-shaped 404s.
@Suite(.timeLimit(.minutes(1)))
struct DashboardRoutesTests {
    static let dashboardFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Dashboard")

    /// Every file under Dashboard/ (dot-files aside) by relative path.
    static func filesOnDisk() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let root = dashboardFolder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return files }
        for case let path as String in walker {
            if path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isDirectory: ObjCBool = false
            let full = root + "/" + path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[path] = Array(try Data(contentsOf: URL(fileURLWithPath: full)))
        }
        return files
    }

    @Test func theLinkedPackIsTheDashboardFolder() throws {
        let disk = try Self.filesOnDisk()
        let pack = DashboardPack.embedded
        #expect(!disk.isEmpty)
        #expect(Set(pack.assets.keys) == Set(disk.keys), "run scripts/pack-dashboard after changing Dashboard/")
        for (path, bytes) in disk {
            #expect(pack.assets[path].map { Array($0.body.readableBytesView) } == bytes, "\(path) differs from the pack")
        }
        #expect(pack.etag.count == 66 && pack.etag.hasPrefix("\"") && pack.etag.hasSuffix("\""))
    }

    @Test func aTruncatedOrForeignPackIsRefused() {
        let header = Array("SBDASH1 \(String(repeating: "a", count: 64))\n".utf8)
        let entry: [UInt8] = [1, 0, 0, 0, 0x61, 5, 0, 0, 0] + Array("hello".utf8)
        func parse(_ bytes: [UInt8]) -> DashboardPack? { bytes.withUnsafeBufferPointer { DashboardPack($0) } }
        #expect(parse(header + entry)?.assets["a"].map { Array($0.body.readableBytesView) } == Array("hello".utf8))
        #expect(parse(header + entry.dropLast()) == nil)
        #expect(parse(Array("PK\u{3}\u{4}".utf8) + entry) == nil)
        #expect(parse(header + [9, 0, 0]) == nil)
    }

    @Test func filesTypesCachingAndFallback() async throws {
        let test = try await SwiftbaseTestApp.make()
        try await test.test { client in
            let index = try await client.request(.get, "/_/")
            #expect(index.status == 200)
            #expect(index.headers[.contentType] == "text/html; charset=utf-8")
            #expect(index.headers[.cacheControl] == "no-cache")
            #expect(index.headers[.eTag] == DashboardPack.embedded.etag)
            #expect(index.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(index.json.stringValue?.contains("<script type=\"module\" src=\"/_/app.js\">") == true)

            let script = try await client.request(.get, "/_/app.js")
            #expect(script.status == 200)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.request(.get, "/_/css/app.css").headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await client.request(.get, "/_/vendor/chart.min.js").status == 200)

            // A page of the app (no file extension) is the app itself; its router reads the path.
            for page in ["/_/collections/posts", "/_/logs", "/_/settings/backups"] {
                let answer = try await client.request(.get, page)
                #expect(answer.status == 200, "\(page)")
                #expect(answer.json == index.json, "\(page)")
            }
            let missing = try await client.request(.get, "/_/nope.js")
            #expect(missing.status == 404)
            #expect(missing.json["status"] == 404)
            #expect(missing.json["message"] == "File not found.")
            #expect(missing.json["data"] == [:])
            let traversal = try await client.request(.get, "/_/../api/health.js")
            #expect(traversal.status == 404 || traversal.status == 400)

            let redirect = try await client.request(.get, "/_")
            #expect(redirect.status == 307)
            #expect(redirect.headers[.location] == "/_/")
            // The API is unaffected.
            #expect(try await client.request(.get, "/api/health").status == 200)
        }
    }

    @Test func revalidationAndHead() async throws {
        let router = Router(context: SwiftbaseRequestContext.self)
        router.middlewares.add(ErrorMiddleware(audit: nil))
        DashboardRoutes().add(to: router)
        let etag = DashboardPack.embedded.etag
        try await Application(router: router).test(.router) { client in
            let fresh = try await client.execute(uri: "/_/app.js", method: .get, headers: [.ifNoneMatch: etag])
            #expect(fresh.status == .notModified)
            #expect(fresh.body.readableBytes == 0)
            #expect(fresh.headers[.eTag] == etag)
            let listed = try await client.execute(uri: "/_/", method: .get, headers: [.ifNoneMatch: "\"old\", \(etag)"])
            #expect(listed.status == .notModified)
            let stale = try await client.execute(uri: "/_/app.js", method: .get, headers: [.ifNoneMatch: "\"old\""])
            #expect(stale.status == .ok)
            let size = DashboardPack.embedded.assets["app.js"]?.body.readableBytes ?? -1
            #expect(stale.body.readableBytes == size)
            let head = try await client.execute(uri: "/_/app.js", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(size))
            #expect(head.body.readableBytes == 0)
        }
    }
}

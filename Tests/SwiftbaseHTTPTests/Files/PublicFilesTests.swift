import Foundation
@testable import SwiftbaseHTTP
import Testing

/// How a public path resolves: PocketBase's redirects, the index fallback, and nothing outside the folder.
@Suite("Public files")
struct PublicFilesTests {
    func folder() throws -> (URL, URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sb-public-\(UUID().uuidString)")
        let root = base.appendingPathComponent("public")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try Data("index".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("docs".utf8).write(to: root.appendingPathComponent("docs/index.html"))
        try Data("js".utf8).write(to: root.appendingPathComponent("app.js"))
        try Data("secret".utf8).write(to: base.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("out"), withDestinationURL: base.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("in.js"), withDestinationURL: root.appendingPathComponent("app.js"))
        return (base, root)
    }

    @Test func pathsResolveAsPocketBaseStaticHandlerDoes() throws {
        let (base, root) = try folder()
        defer { try? FileManager.default.removeItem(at: base) }
        let files = PublicFiles(root: root)
        let canonical = files.root
        #expect(files.resolve("/") == .file(canonical.appendingPathComponent("index.html")))
        #expect(files.resolve("/app.js") == .file(canonical.appendingPathComponent("app.js")))
        #expect(files.resolve("/docs") == .redirect("/docs/"))
        #expect(files.resolve("/docs/") == .file(canonical.appendingPathComponent("docs/index.html")))
        #expect(files.resolve("/docs/index.html") == .redirect("/docs/"))
        #expect(files.resolve("/app.js/") == .redirect("/app.js"))
        #expect(files.resolve("//evil.example/") == .file(canonical.appendingPathComponent("index.html")))
        // A link inside the folder is followed; one leading out is not.
        #expect(files.resolve("/in.js") == .file(canonical.appendingPathComponent("in.js")))
        let index = PublicFiles.Resolution.file(canonical.appendingPathComponent("index.html"))
        for escape in ["/out", "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/docs/%2e%2e/%2e%2e/secret.txt",
                       "/.hidden", "/a%00b", "/x/nope"] {
            #expect(files.resolve(escape) == index, "\(escape)")
        }
        #expect(files.resolve("/api/anything") == .notFound)
        #expect(PublicFiles(root: root, indexFallback: false).resolve("/x/nope") == .notFound)
        #expect(PublicFiles(root: root.appendingPathComponent("missing")).resolve("/") == .notFound)
    }

    @Test func redirectsNeverLeaveTheHost() {
        #expect(PublicFiles.safeRedirectPath("//evil.example/") == "/evil.example/")
        #expect(PublicFiles.safeRedirectPath("/\\evil.example") == "/evil.example")
        #expect(PublicFiles.safeRedirectPath("/docs/") == "/docs/")
    }
}

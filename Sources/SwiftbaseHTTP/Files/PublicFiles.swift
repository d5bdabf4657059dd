public import Foundation
import SwiftbaseCore

/// PocketBase's `pb_public`: a folder served at `/` beside the API, so a front-end ships with its backend.
/// How a request path maps to a file, as PocketBase's static handler does:
/// - a directory answers its `index.html`; asked without its trailing slash it redirects (301) to it, and
///   `/x/index.html` redirects to `/x/`; a file asked with a trailing slash redirects to its name;
/// - a path that names nothing answers the root `index.html` when `indexFallback` is on (single-page apps
///   with client-side routing), else 404.
/// Never outside the folder: `..` segments, encoded slashes and NULs name nothing, and a symbolic link that
/// leads out of the folder is not followed. Unlike PocketBase, hidden files (a segment starting with `.`, such
/// as `.env`) are never served, and paths under `/api/` keep the API's 404.
public struct PublicFiles: Sendable {
    public let root: URL
    public let indexFallback: Bool

    public init(root: URL, indexFallback: Bool = true) {
        self.root = root.standardizedFileURL.resolvingSymlinksInPath()
        self.indexFallback = indexFallback
    }

    /// What a request path resolves to.
    enum Resolution: Equatable {
        case file(URL)
        case redirect(String)
        case notFound
    }

    /// Resolves the raw (still percent-encoded) request path. Touches the disk: call it off the event loops.
    func resolve(_ rawPath: String) -> Resolution {
        guard rawPath.hasPrefix("/") else { return .notFound }
        if rawPath == "/api" || rawPath.hasPrefix("/api/") { return .notFound }
        guard let segments = Self.segments(of: rawPath) else { return fallback() }
        let url = segments.reduce(root) { $0.appendingPathComponent($1) }
        guard let kind = kind(of: url) else { return fallback() }
        switch kind {
        case .directory:
            if !rawPath.hasSuffix("/") { return .redirect(Self.safeRedirectPath(rawPath + "/")) }
            let index = url.appendingPathComponent("index.html")
            return self.kind(of: index) == .file ? .file(index) : fallback()
        case .file:
            if rawPath.hasSuffix("/") {
                let trimmed = String(rawPath.reversed().drop { $0 == "/" }.reversed())
                if !trimmed.isEmpty { return .redirect(Self.safeRedirectPath(trimmed)) }
            } else if rawPath.hasSuffix("/index.html") {
                return .redirect(Self.safeRedirectPath(String(rawPath.dropLast("index.html".count))))
            }
            return .file(url)
        }
    }

    /// The root `index.html` when the fallback is on and it exists.
    private func fallback() -> Resolution {
        guard indexFallback else { return .notFound }
        let index = root.appendingPathComponent("index.html")
        return kind(of: index) == .file ? .file(index) : .notFound
    }

    private enum Kind { case file, directory }

    /// A regular file or directory inside the root (after following links); nil for anything else.
    private func kind(of url: URL) -> Kind? {
        let resolved = url.resolvingSymlinksInPath()
        guard resolved.path == root.path || resolved.path.hasPrefix(root.path + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return .directory }
        guard FileManager.default.isReadableFile(atPath: resolved.path) else { return nil }
        return .file
    }

    /// The decoded path segments, empty and `.` ones dropped; nil when one could lead elsewhere or is hidden.
    static func segments(of rawPath: String) -> [String]? {
        var out: [String] = []
        for raw in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = raw.removingPercentEscapes() else { return nil }
            if segment == "." { continue }
            guard !segment.isEmpty, !segment.hasPrefix("."), !segment.contains("/"), !segment.contains("\\"),
                !segment.contains("\0")
            else { return nil }
            out.append(segment)
        }
        return out
    }

    /// Leading slashes and backslashes become one slash, so a redirect never points at another host (`//evil`).
    static func safeRedirectPath(_ path: String) -> String {
        let bytes = Array(path.utf8)
        guard bytes.count > 1, bytes[0] == UInt8(ascii: "/") || bytes[0] == UInt8(ascii: "\\"),
            bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\")
        else { return path }
        return "/" + String(path.drop { $0 == "/" || $0 == "\\" })
    }

    /// Content types by extension (Go's `mime` table for the web's common files); others are sniffed.
    static let typesByExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "json": "application/json", "map": "application/json", "webmanifest": "application/manifest+json",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
        "xml": "text/xml; charset=utf-8", "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg",
        "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon",
        "wasm": "application/wasm", "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm", "mp3": "audio/mpeg", "wav": "audio/wav",
    ]
}

import CDashboardAssets
import NIOCore

/// The admin dashboard's files as the binary carries them: one pack laid out by the `CDashboardAssets` target's
/// assembly (written by `scripts/pack-dashboard`, each file `.incbin`'d from `Dashboard/`), so changing the
/// dashboard changes no Swift code and compiles no literal. Read once, on first use.
struct DashboardPack: Sendable {
    /// One file of the dashboard, ready to send.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    /// By path relative to `Dashboard/` (`index.html`, `pages/records.js`).
    let assets: [String: Asset]
    /// The pack's digest, quoted: every asset's `ETag` (a change to any file changes all of them, which is cheap).
    let etag: String

    /// The pack linked into this binary.
    static let embedded: DashboardPack = {
        var length = 0
        let start = sb_dashboard_pack(&length)
        let bytes = UnsafeBufferPointer(start: start, count: length)
        // The pack is written by our own script at build time; a malformed one is a build error, not input.
        guard let pack = DashboardPack(bytes) else { preconditionFailure("dashboard.pack is malformed") }
        return pack
    }()

    /// Parses the format `scripts/pack-dashboard` documents; nil when the bytes are not a whole pack.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        let magic = Array("SBDASH1 ".utf8)
        let headerLength = magic.count + 64 + 1
        guard bytes.count >= headerLength, Array(bytes[0..<magic.count]) == magic, bytes[headerLength - 1] == 0x0A
        else { return nil }
        etag = "\"" + String(decoding: bytes[magic.count..<(headerLength - 1)], as: UTF8.self) + "\""
        var assets: [String: Asset] = [:]
        var offset = headerLength
        func readLength() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            let value = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
            offset += 4
            return value
        }
        while offset < bytes.count {
            guard let nameLength = readLength(), offset + nameLength <= bytes.count else { return nil }
            let name = String(decoding: bytes[offset..<(offset + nameLength)], as: UTF8.self)
            offset += nameLength
            guard let size = readLength(), offset + size <= bytes.count else { return nil }
            let body = ByteBuffer(bytes: bytes[offset..<(offset + size)])
            offset += size
            assets[name] = Asset(body: body, contentType: Self.contentType(of: name))
        }
        self.assets = assets
    }

    /// The media type the browser needs (module scripts are refused under any other type with `nosniff`).
    static func contentType(of name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return typesByExtension[ext] ?? "application/octet-stream"
    }

    static let typesByExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "json": "application/json", "svg": "image/svg+xml", "png": "image/png",
        "ico": "image/x-icon", "txt": "text/plain; charset=utf-8", "woff2": "font/woff2", "map": "application/json",
    ]
}

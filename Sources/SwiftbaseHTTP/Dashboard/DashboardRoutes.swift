import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftbaseCore

/// `GET`/`HEAD /_/…` — the admin dashboard, a single-page app and a client of the public API only. Files come
/// from the pack linked into the binary (`DashboardPack`); any other path without a file extension is a page of
/// the app and gets `index.html` (its router reads the path). `/_` redirects to `/_/` (307, as PocketBase answers).
///
/// Caching: every answer carries the pack's digest as `ETag` and `Cache-Control: no-cache`, so a browser
/// revalidates (a `304` with no body) and never runs a stale module after an upgrade.
struct DashboardRoutes {
    var pack: DashboardPack = .embedded

    func add(to router: Router<SwiftbaseRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            // The router reads "/_" and "/_/" as one path; only the path itself tells them apart.
            router.on("/_", method: method) { request, _ in
                guard request.uri.path.hasSuffix("/") else {
                    return Response(status: .temporaryRedirect, headers: [.location: "/_/"])
                }
                return try serve(request, path: "")
            }
            router.on("/_/**", method: method) { request, context in
                try serve(request, path: context.parameters.getCatchAll().joined(separator: "/"))
            }
        }
    }

    func serve(_ request: Request, path: String) throws -> Response {
        let asset: DashboardPack.Asset
        if let file = pack.assets[path] {
            asset = file
        } else if path.split(separator: "/").last?.contains(".") == true {
            throw SwiftbaseError.notFound("File not found.")
        } else if let index = pack.assets["index.html"] {
            asset = index
        } else {
            throw SwiftbaseError.notFound("File not found.")
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: pack.etag, .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == pack.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.body.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.body))
    }

    /// Scripts and styles from the dashboard itself only (no CDN, no inline script); inline style attributes are
    /// allowed for Chart.js; images may be thumbnails from the same origin or local previews (`blob:`).
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        + "connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
}

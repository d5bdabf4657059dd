import Hummingbird
import Swiftbase

/// `GET /api/bookmarks/export`: the caller's bookmarks as a plain-text list, one `title <url>` per line —
/// read through the record service with the caller's identity, so the collection's rules decide what is in it.
enum BookmarkRoutes {
    static func install(on router: Router<SwiftbaseRequestContext>, records: RecordService) {
        router.get("/api/bookmarks/export") { request, context -> Response in
            guard context.auth.record != nil else { throw SwiftbaseError.unauthorized("Sign in to export your bookmarks.") }
            let page = try await records.list(
                in: "bookmarks", options: RecordListOptions(perPage: 500, sort: "title"),
                request: request.requestInfo(auth: context.auth))
            let lines = page.items.map { "\($0["title"]?.stringValue ?? "") <\($0["url"]?.stringValue ?? "")>" }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n"))))
        }
    }
}

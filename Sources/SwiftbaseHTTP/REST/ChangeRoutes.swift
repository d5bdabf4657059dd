import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftbaseCore

/// The change feed over HTTP, for superusers and API keys granted `changes`:
/// - `GET /api/changes?after=SEQ&collections=a,b&actions=create,update&limit=N` answers
///   `{"items":[{"seq","created","collection","collectionId","recordId","action","record","actor"}],"next":SEQ}`;
/// - `GET /api/changes/stream?after=SEQ` (or `Last-Event-ID`) replays from the cursor and then tails live as
///   Server-Sent Events, `id:` being each entry's `seq`, with a `: keep-alive` comment when quiet;
/// - `GET /api/changes/head` answers `{"head", "oldest"}`: the newest seq committed and the first still kept.
struct ChangeRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/changes") { request, context in
            let query = try Self.query(request, context: context, schema: services.schema.snapshot)
            let page = try await services.changes.read(query)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: page.json)))
        }
        // Where the log stands, for a reader that wants to follow from now on (`stream?after=HEAD`) rather than
        // replay what is kept: the newest seq committed, and the oldest still kept. Who may read the feed may ask.
        router.get("/api/changes/head") { request, context in
            _ = try Self.query(request, context: context, schema: services.schema.snapshot)
            let (head, oldest) = try await services.changes.bounds()
            return JSONResponse.make(["head": .number(Double(head)), "oldest": .number(Double(oldest))])
        }
        router.get("/api/changes/stream") { request, context -> Response in
            var query = try Self.query(request, context: context, schema: services.schema.snapshot)
            if request.query["after"] == nil, let resume = request.headers[HTTPField.Name("Last-Event-ID")!] {
                guard let seq = Int64(resume), seq >= 0 else { throw SwiftbaseError.badRequest("Invalid Last-Event-ID.") }
                query.after = seq
            }
            let tail = services.changes.tail(query)
            return Response(
                status: .ok, headers: .eventStream,
                body: ResponseBody { writer in
                    do {
                        for try await page in tail {
                            var out: [UInt8] = []
                            if page.entries.isEmpty { out.append(contentsOf: ": keep-alive\n\n".utf8) }
                            for entry in page.entries {
                                out.append(contentsOf: "id: \(entry.seq)\nevent: change\ndata: ".utf8)
                                entry.write(into: &out)
                                out.append(contentsOf: "\n\n".utf8)
                            }
                            try await writer.write(ByteBuffer(bytes: out))
                        }
                    } catch {
                        // the peer went away, or the store failed mid-stream: end the stream
                    }
                    try? await writer.finish(nil)
                })
        }
    }

    /// The query string as a `ChangeFeedQuery` the requester may run (see `ChangeFeedQuery.authorized`).
    static func query(_ request: Request, context: SwiftbaseRequestContext, schema: SchemaSnapshot) throws
        -> ChangeFeedQuery
    {
        let parameters = request.query
        let after = try parameters.integer("after", default: 0)
        let limit = try parameters.integer("limit", default: ChangeFeedQuery.defaultLimit)
        guard after >= 0 else { throw SwiftbaseError.badRequest("after must be a seq, 0 or more.") }
        guard (1...ChangeFeedQuery.maxLimit).contains(limit) else {
            throw SwiftbaseError.badRequest("limit must be between 1 and \(ChangeFeedQuery.maxLimit).")
        }
        var actions: Set<ChangeLogEntry.Action>?
        if let list = Self.list(parameters["actions"]) {
            var parsed: Set<ChangeLogEntry.Action> = []
            for name in list {
                guard let action = ChangeLogEntry.Action(rawValue: name) else {
                    throw SwiftbaseError.badRequest("Unknown action \(name): use create, update or delete.")
                }
                parsed.insert(action)
            }
            actions = parsed
        }
        let collections = try ChangeFeedQuery.authorized(
            for: context.auth, collections: Self.list(parameters["collections"]), schema: schema)
        return ChangeFeedQuery(after: Int64(after), collectionIds: collections, actions: actions, limit: limit)
    }

    /// A comma-separated list; nil when absent or empty.
    static func list(_ text: String?) -> [String]? {
        guard let text, !text.isEmpty else { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

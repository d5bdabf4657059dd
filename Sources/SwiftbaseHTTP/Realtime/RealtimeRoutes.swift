import HTTPTypes
import Hummingbird
import NIOCore
import SwiftbaseCore
import SwiftbaseServices

/// `/api/realtime` — PocketBase's realtime over Server-Sent Events. `GET` opens a stream whose first event is
/// `PB_CONNECT` carrying the client id (also the `id:` of every event, where the SDKs read it); `POST`
/// `{clientId, subscriptions}` replaces that client's subscriptions and binds the caller's identity. Events
/// are `id:<clientId>\nevent:<subscription>\ndata:{"action","record"}\n\n`, with no keep-alive messages.
struct RealtimeRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/realtime") { _, context -> Response in
            let hub = services.realtime
            let channel = context.channel
            let client = hub.connect(remoteIP: context.clientIP) { id in SSEEventWriter(channel: channel, clientID: id) }
            // A peer that hangs up is forgotten at once, not at the next event (there are no keep-alives). The
            // writer goes first, next to the socket, before the response head is written.
            try? await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(
                    PeerHangupHandler { hub.disconnect(client, reason: "connection closed") }, position: .first)
                if let writer = client.sink as? SSEEventWriter { try pipeline.addHandler(writer, position: .first) }
                if !channel.isActive { hub.disconnect(client, reason: "connection closed") }
            }.get()
            return Response(
                status: .ok, headers: .eventStream,
                body: ResponseBody { writer in
                    // The head is on the channel's event loop's queue by now. Everything after it is written from
                    // that loop through the client's sink: PB_CONNECT first, then whatever the hub delivers.
                    let connect = RealtimeMessage(
                        name: "PB_CONNECT", data: JSONValue.object(["clientId": .string(client.id)]).jsonString)
                    if let sink = client.sink {
                        try? await channel.eventLoop.submit {
                            sink.write(connect)
                            sink.flush()
                        }.get()
                    }
                    await client.closed()
                    hub.disconnect(client, reason: "connection closed")
                    // The client is closed, so a write the hub queues on the loop from now on is skipped there; one
                    // queued before runs before this, so before the response's end. A connection not taking data (a
                    // client dropped as too slow, or one that stopped reading before a shutdown) would hold that end
                    // back for as long as its peer does not read, and the server's shutdown with it: it is closed.
                    try? await channel.eventLoop.submit {
                        if !channel.isWritable { channel.close(promise: nil) }
                    }.get()
                    try? await writer.finish(nil)
                })
        }
        router.post("/api/realtime") { request, context in
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic)
            let (clientID, subscriptions) = try Self.form(body.values)
            try services.realtime.setSubscriptions(
                clientID: clientID, subscriptions: subscriptions, auth: context.auth, remoteIP: context.clientIP)
            return JSONResponse.noContent
        }
    }

    /// `{clientId, subscriptions}` as PocketBase validates it: clientId 1–255 characters, at most 1000
    /// subscriptions of at most 2500 characters each. Failures answer the generic message with the items.
    static func form(_ values: [String: JSONValue]) throws -> (String, [String]) {
        let loadFailed = SwiftbaseError.badRequest()
        var errors: [String: ErrorData] = [:]
        var clientID = ""
        switch values["clientId"] {
        case nil, .null?: break
        case .string(let s)?: clientID = s
        default: throw loadFailed
        }
        // Lengths in UTF-8 bytes, as PocketBase counts them.
        if clientID.isEmpty { errors["clientId"] = .item(.required) } else if clientID.utf8.count > 255 {
            errors["clientId"] = .item(.lengthOutOfRange(min: 1, max: 255))
        }
        var subscriptions: [String] = []
        switch values["subscriptions"] {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard case .string(let s) = item else { throw loadFailed }
                subscriptions.append(s)
            }
        default: throw loadFailed
        }
        if subscriptions.count > 1000 {
            errors["subscriptions"] = .item(
                ErrorItem("validation_length_too_long", "The length must be no more than 1000.", params: ["max": 1000, "min": 0]))
        } else {
            var long: [String: ErrorData] = [:]
            for (index, topic) in subscriptions.enumerated() where topic.utf8.count > 2500 {
                long[String(index)] = .item(
                    ErrorItem(
                        "validation_length_too_long", "The length must be no more than 2500.",
                        params: ["max": 2500, "min": 0]))
            }
            if !long.isEmpty { errors["subscriptions"] = .fields(long) }
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(loadFailed.message, .fields(errors)) }
        return (clientID, subscriptions)
    }

}

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
            let client = hub.connect(remoteIP: context.remoteIP)
            // A peer that hangs up is forgotten at once, not at the next event (there are no keep-alives).
            let channel = context.channel
            try? await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    PeerHangupHandler { hub.disconnect(client, reason: "connection closed") }, position: .first)
            }.get()
            return Response(
                status: .ok, headers: .eventStream,
                body: ResponseBody { writer in
                    do {
                        let connect = JSONValue.object(["clientId": .string(client.id)]).jsonString
                        try await writer.write(Self.event(client.id, "PB_CONNECT", connect))
                        for await message in client.messages {
                            try await writer.write(Self.event(client.id, message.name, message.data))
                        }
                    } catch {
                        // the peer went away; fall through to unregister it
                    }
                    hub.disconnect(client, reason: "connection closed")
                    try? await writer.finish(nil)
                })
        }
        router.post("/api/realtime") { request, context in
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic)
            let (clientID, subscriptions) = try Self.form(body.values)
            try services.realtime.setSubscriptions(
                clientID: clientID, subscriptions: subscriptions, auth: context.auth, remoteIP: context.remoteIP)
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

    static func event(_ id: String, _ name: String, _ data: String) -> ByteBuffer {
        ByteBuffer(string: "id:\(id)\nevent:\(name)\ndata:\(data)\n\n")
    }
}

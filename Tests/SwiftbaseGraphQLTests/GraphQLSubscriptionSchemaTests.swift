import HTTPTypes
import SwiftbaseCore
import SwiftbaseTesting
import Testing

/// The subscription side of the schema as HTTP sees it: each collection's `<collection>_events` field and its
/// `{action, record}` type, and a subscription operation sent over HTTP refused with a pointer to the WebSocket.
@Suite(.timeLimit(.minutes(1))) struct GraphQLSubscriptionSchemaTests {
    @Test func eachCollectionHasAnEventsSubscription() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            let notes = try await client.request(
                .post, "/api/collections", token: token,
                json: ["name": "notes", "listRule": "", "fields": [["name": "title", "type": "text"]]])
            #expect(notes.status == 200)
            let sdl = try await client.request(.get, "/api/graphql/schema").json.stringValue ?? ""
            #expect(sdl.contains("subscription: subscription_root"))
            #expect(sdl.contains("notes_events(where: notes_bool_exp): notes_event"))
            #expect(sdl.contains("action: String!"))
            #expect(sdl.contains("record: notes!"))
        }
    }

    @Test func aSubscriptionOverHTTPIsRefused() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            _ = try await client.request(
                .post, "/api/collections", token: token,
                json: ["name": "notes", "listRule": "", "fields": [["name": "title", "type": "text"]]])
            let reply = try await client.request(
                .post, "/api/graphql", token: token,
                json: ["query": "subscription { notes_events { action record { title } } }"])
            #expect(reply.status == 200)
            #expect(
                reply.json["errors"]?.arrayValue?.first?["message"]
                    == "Subscriptions are served over a WebSocket at /api/graphql.")
            #expect(reply.json["data"] == nil)
        }
    }
}

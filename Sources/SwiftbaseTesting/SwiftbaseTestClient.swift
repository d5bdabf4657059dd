public import Hummingbird
import HummingbirdTesting
public import SwiftbaseCore

/// JSON requests against a `SwiftbaseTestApp`, answered in PocketBase's shapes.
public struct SwiftbaseTestClient: Sendable {
    let client: any TestClientProtocol

    /// A response: its status, its body parsed as JSON (a string when it is not JSON, `null` when empty) and
    /// its headers.
    public struct Reply: Sendable {
        public let status: Int
        public let json: JSONValue
        public let headers: HTTPFields
    }

    /// Sends a request; `json` is sent as the body, or `rawBody` with `contentType`. `token` goes into
    /// `Authorization` as PocketBase's SDKs send it (a record or superuser token, or an `sbk_` API key).
    public func request(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: JSONValue? = nil,
        rawBody: String? = nil, contentType: String = "application/json"
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = token }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(string: json.jsonString)
            headers[.contentType] = contentType
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            headers[.contentType] = contentType
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            let json = text.isEmpty ? JSONValue.null : (try? JSONValue.parse(text)) ?? .string(text)
            return Reply(status: Int(response.status.code), json: json, headers: response.headers)
        }
    }

    /// A superuser token for `SwiftbaseTestApp.superuserEmail`.
    public func superuserToken() async throws -> String {
        try await authToken(
            collection: "_superusers", identity: SwiftbaseTestApp.superuserEmail,
            password: SwiftbaseTestApp.superuserPassword)
    }

    /// A token from `auth-with-password` on `collection`; empty when the sign-in failed.
    public func authToken(collection: String, identity: String, password: String) async throws -> String {
        let reply = try await request(
            .post, "/api/collections/\(collection)/auth-with-password",
            json: ["identity": .string(identity), "password": .string(password)])
        return reply.json["token"]?.stringValue ?? ""
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Swiftbase
import SwiftbaseCore
import SwiftbaseHTTP
import Testing

/// A Swiftbase app on a fresh temp data directory with one superuser, tested in-process.
struct TestApp {
    static let email = "admin@example.com"
    static let password = "1234567890"

    let app: SwiftbaseApp
    let directory: URL

    static func make() async throws -> TestApp {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbtest-\(UUID().uuidString)")
        let app = try await SwiftbaseApp.open(SwiftbaseConfiguration(dataDirectory: directory.path, maxBodySize: 1 << 20))
        try await app.createSuperuser(email: email, password: password)
        return TestApp(app: app, directory: directory)
    }

    /// Runs `body` with a client of the router, then removes the data directory.
    func test(_ body: @Sendable (TestClient) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let router = app.router()
        let application = Application(router: router)
        try await application.test(.router) { client in try await body(TestClient(client: client)) }
    }
}

/// Thin JSON helpers over Hummingbird's test client.
struct TestClient {
    let client: any TestClientProtocol

    struct Reply {
        let status: Int
        let json: JSONValue
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: JSONValue? = nil,
        rawBody: String? = nil, contentType: String = "application/json") async throws -> Reply
    {
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
            return Reply(status: Int(response.status.code), json: json)
        }
    }

    func superuserToken() async throws -> String {
        let reply = try await request(
            .post, "/api/collections/_superusers/auth-with-password",
            json: ["identity": .string(TestApp.email), "password": .string(TestApp.password)])
        return reply.json["token"]?.stringValue ?? ""
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import SwiftbaseCore

/// The OAuth2 exchange's network calls on AsyncHTTPClient. Token, userinfo and key-set requests go to the
/// provider URLs the collection names (loopback included, as PocketBase allows); avatar downloads only to
/// public addresses, with no redirects followed (a redirect could lead past the address check).
public struct HTTPOAuth2Transport: OAuth2Transport {
    /// PocketBase gives the whole exchange 30 seconds and an avatar 10.
    static let timeout = TimeAmount.seconds(30)
    static let avatarTimeout = TimeAmount.seconds(10)
    /// Provider answers are small; anything past this is refused rather than buffered.
    static let responseLimit = 4 << 20

    /// Avatar downloads' clients, each pinned to the address that was checked (an avatar URL can be the
    /// user's to choose, so a rebinding DNS name must not reach a private address). They live as long as the
    /// process: static, never deinitialized, so they need no shutdown.
    private static let avatarClients = PinnedHTTPClients(
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5))),
        retireAfter: .seconds(10))

    public init() {}

    public func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?)
        async throws -> OAuth2HTTPResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let basicAuth {
            let credentials = Data((basicAuth.user + ":" + basicAuth.password).utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic " + credentials)
        }
        let body = OAuth2AuthorizationURL.formEncoded(form)
        request.body = .bytes(ByteBuffer(string: body))
        return try await execute(request, on: HTTPClient.shared, timeout: Self.timeout, limit: Self.responseLimit)
    }

    public func get(_ url: String, authorization: String?) async throws -> OAuth2HTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        return try await execute(request, on: HTTPClient.shared, timeout: Self.timeout, limit: Self.responseLimit)
    }

    public func downloadPublicFile(_ url: String, limit: Int) async throws -> FileUpload {
        guard let parsed = URL(string: url), let host = parsed.host, !host.isEmpty,
            ["http", "https"].contains(parsed.scheme?.lowercased() ?? "")
        else { throw OAuth2ExchangeError("invalid avatar URL") }
        let client = try await Self.avatarClients.client(for: host, allowPrivate: false)
        let response = try await execute(HTTPClientRequest(url: url), on: client, timeout: Self.avatarTimeout, limit: limit)
        guard (200..<400).contains(response.status) else {
            throw OAuth2ExchangeError("failed to download the avatar (\(response.status))")
        }
        let name = parsed.lastPathComponent.isEmpty || parsed.lastPathComponent == "/" ? "avatar" : parsed.lastPathComponent
        return FileUpload(originalName: name, data: response.body)
    }

    private func execute(_ request: HTTPClientRequest, on client: HTTPClient, timeout: TimeAmount, limit: Int)
        async throws -> OAuth2HTTPResponse
    {
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: limit)
        return OAuth2HTTPResponse(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
            body: Array(buffer: body))
    }

}

/// What an OAuth2 sign-in needs from the network, implemented outside the core (the core does no I/O of its
/// own): a form POST to a token endpoint, GETs of userinfo and key sets, and the avatar download.
public protocol OAuth2Transport: Sendable {
    /// POSTs `form` (URL-encoded) to `url`, with HTTP Basic credentials when given.
    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> OAuth2HTTPResponse
    /// GETs `url`, with `authorization` as the Authorization header when given.
    func get(_ url: String, authorization: String?) async throws -> OAuth2HTTPResponse
    /// Downloads a file from a public address only (loopback, private, link-local and multicast addresses
    /// are refused, as PocketBase refuses them for avatars), at most `limit` bytes.
    func downloadPublicFile(_ url: String, limit: Int) async throws -> FileUpload
}

public struct OAuth2HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// Why a step of the exchange failed: logged, never shown to the client (PocketBase answers a fixed message).
public struct OAuth2ExchangeError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

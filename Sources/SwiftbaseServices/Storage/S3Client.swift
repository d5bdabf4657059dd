import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import SwiftbaseCore

/// The few S3 calls PocketBase makes — put, get (whole or a byte range), head, delete, list by prefix — signed
/// with `S3Signer` and sent through AsyncHTTPClient's shared client. Addressing as PocketBase's: path style
/// (`endpoint/bucket/key`) with `forcePathStyle`, virtual-host style (`bucket.endpoint/key`) otherwise; the
/// endpoint's scheme is kept (`https` when none is given).
public struct S3Client: Sendable {
    public let settings: S3Settings
    let signer: S3Signer
    let clock: @Sendable () -> Date

    /// Control calls (head, delete, list, small puts) give up after this; transfers of large bodies after `transferTimeout`.
    static let timeout = TimeAmount.seconds(30)
    static let transferTimeout = TimeAmount.hours(2)
    /// Error and listing bodies are small; anything past this is cut.
    static let responseLimit = 16 << 20

    public init(settings: S3Settings, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.signer = S3Signer(accessKey: settings.accessKey, secret: settings.secret, region: settings.region)
        self.clock = clock
    }

    // MARK: - Addressing

    /// Scheme, host (with its port when given) and the request path of `key` (raw, escaped when sent).
    func address(of key: String) -> (scheme: String, host: String, path: String) {
        var endpoint = Substring(settings.endpoint)
        while endpoint.hasSuffix("/") { endpoint = endpoint.dropLast() }
        var scheme = "https"
        if endpoint.hasPrefix("https://") {
            endpoint = endpoint.dropFirst(8)
        } else if endpoint.hasPrefix("http://") {
            endpoint = endpoint.dropFirst(7)
            scheme = "http"
        }
        let trimmedKey = key.drop { $0 == "/" }
        if settings.forcePathStyle {
            let slash = endpoint.firstIndex(of: "/") ?? endpoint.endIndex
            let prefix = endpoint[slash...]
            return (scheme, String(endpoint[..<slash]), String(prefix) + "/" + settings.bucket + "/" + trimmedKey)
        }
        let slash = endpoint.firstIndex(of: "/") ?? endpoint.endIndex
        return (scheme, settings.bucket + "." + endpoint[..<slash], String(endpoint[slash...]) + "/" + trimmedKey)
    }

    // MARK: - Calls

    /// Stores `body` (`length` bytes) under `key`.
    func put(_ key: String, body: HTTPClientRequest.Body, contentType: String, timeout: TimeAmount = Self.timeout)
        async throws
    {
        let response = try await send("PUT", key, headers: [("content-type", contentType)], body: body, timeout: timeout)
        try await Self.drain(response)
    }

    /// The object's response (status 200, or 206 for a range), or nil when there is no such key.
    func get(_ key: String, range: ClosedRange<Int>? = nil, timeout: TimeAmount = Self.timeout) async throws
        -> HTTPClientResponse?
    {
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        do {
            return try await send("GET", key, headers: headers, timeout: timeout)
        } catch let error as S3ResponseError where error.status == 404 {
            return nil
        }
    }

    /// Size and modification time, or nil when there is no such key.
    func head(_ key: String) async throws -> StoredFileAttributes? {
        let response: HTTPClientResponse
        do {
            response = try await send("HEAD", key)
        } catch let error as S3ResponseError where error.status == 404 {
            return nil
        }
        try await Self.drain(response)
        let size = response.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
        let modified = response.headers.first(name: "last-modified").flatMap(S3Listing.parseHTTPDate) ?? clock()
        return StoredFileAttributes(size: size, modified: modified)
    }

    func delete(_ key: String) async throws {
        let response = try await send("DELETE", key)
        try await Self.drain(response)
    }

    /// Every object whose key starts with `prefix`, across pages, in key order.
    func list(prefix: String) async throws -> [S3Listing.Object] {
        var objects: [S3Listing.Object] = []
        var token: String?
        for _ in 0..<100_000 {
            var query = [("list-type", "2")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", "", query: query)
            let body = try await response.body.collect(upTo: Self.responseLimit)
            let page = S3Listing.parse(Array(buffer: body))
            objects += page.objects
            guard page.isTruncated, let next = page.nextToken, !next.isEmpty else { break }
            token = next
        }
        return objects
    }

    // MARK: - Signing and sending

    /// Signs and sends one request; any answer of 400 or more becomes an `S3ResponseError`.
    func send(
        _ method: String, _ key: String, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil, timeout: TimeAmount = Self.timeout
    ) async throws -> HTTPClientResponse {
        let (scheme, host, path) = address(of: key)
        let now = clock()
        var signed: [(String, String)] = [
            ("host", host), ("x-amz-date", S3Signer.amzDate(now)), ("x-amz-content-sha256", S3Signer.unsignedPayload),
        ]
        signed += extra.filter { $0.0 == "content-type" || $0.0.hasPrefix("x-amz-") }
        let authorization = signer.authorization(
            method: method, path: path, query: query, headers: signed, payloadHash: S3Signer.unsignedPayload, date: now)
        let encodedPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { S3Signer.uriEncode(String($0)) }.joined(separator: "/")
        let encodedQuery = query.map { S3Signer.uriEncode($0.0) + "=" + S3Signer.uriEncode($0.1) }.joined(separator: "&")
        var request = HTTPClientRequest(url: scheme + "://" + host + encodedPath + (query.isEmpty ? "" : "?" + encodedQuery))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed + extra.filter({ !($0.0 == "content-type" || $0.0.hasPrefix("x-amz-")) }) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.headers.replaceOrAdd(name: "authorization", value: authorization)
        // No transparent decompression: sizes and ranges are the stored bytes'.
        request.headers.replaceOrAdd(name: "accept-encoding", value: "identity")
        if let body { request.body = body }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard response.status.code < 400 else {
            var raw: [UInt8] = []
            if method != "HEAD" { raw = Array(buffer: try await response.body.collect(upTo: Self.responseLimit)) }
            throw S3ResponseError(status: Int(response.status.code), raw: raw)
        }
        return response
    }

    /// Reads an answer's body to its end (so the connection can be reused).
    static func drain(_ response: HTTPClientResponse) async throws {
        for try await _ in response.body {}
    }
}

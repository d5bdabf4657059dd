import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftbaseCore
import SwiftbaseFunctions
import SwiftbaseServices
import Synchronization

/// Sends functions' `http_request`s with AsyncHTTPClient: only to the plug-in's `allowedHosts` (Extism's globs:
/// `api.example.com`, `*.example.com`, `*`), only over http(s), never to a loopback, private or link-local
/// address unless `functions.allowPrivateHosts` is set, never following redirects (one could lead past those
/// checks).
///
/// Every request goes to an address this client resolved and checked itself: the name is pinned to it for the
/// request (AsyncHTTPClient's `dnsOverride`, one client per host), so a DNS server answering differently when
/// the connection is made (rebinding) cannot send a plug-in's request to a private address. A host's client
/// is kept while its name resolves to the same address; closed by `shutdown`.
///
/// A plug-in's host call runs on its guest thread, so `send` blocks that thread until the answer (or the
/// call's remaining time) is in.
final class FunctionHTTPClient: PluginHTTPClient {
    /// The most of an answer's body a plug-in gets (Extism's default `http_response_max_bytes` is 50 MiB; a
    /// plug-in's memory is 64 MiB by default).
    static let maxResponseBytes = 16 << 20
    /// A request without a call timeout still ends.
    static let defaultTimeout: Duration = .seconds(30)

    /// A client whose connections to `host` go to `address`.
    private struct Pinned {
        let address: String
        let client: HTTPClient
    }

    private enum State {
        case open([String: Pinned])
        case closed
    }

    /// Clients kept for this many hosts at most (past it, one is retired to make room).
    static let maxPinnedHosts = 64
    private let state = Mutex(State.open([:]))
    private let allowPrivateHosts: @Sendable () -> Bool

    init(allowPrivateHosts: @escaping @Sendable () -> Bool) {
        self.allowPrivateHosts = allowPrivateHosts
    }

    func send(_ request: PluginHTTPRequest, allowedHosts: [String], timeout: Duration?) throws -> PluginHTTPResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let writtenHost = url.host, !writtenHost.isEmpty
        else { throw FunctionError(.hostFunctionFailed, "http_request: \(request.url) is not an http or https URL") }
        let host = writtenHost.lowercased()
        guard AllowedHosts.allows(host, in: allowedHosts) else {
            throw FunctionError(.hostFunctionFailed, "HTTP request to \(request.url) is not allowed")
        }
        let limit = min(timeout ?? Self.defaultTimeout, Self.defaultTimeout)
        let result = Mutex<Result<PluginHTTPResponse, FunctionError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let checkAddresses = !allowPrivateHosts()
        Task {
            let answer = await self.perform(request, host: writtenHost, checkAddresses: checkAddresses, timeout: limit)
            result.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    private func perform(
        _ request: PluginHTTPRequest, host: String, checkAddresses: Bool, timeout: Duration
    ) async -> Result<PluginHTTPResponse, FunctionError> {
        let address: OutboundAddress.Bytes
        do {
            address = try await OutboundAddress.addresses(of: host, allowPrivate: !checkAddresses)[0]
        } catch let refusal as OutboundAddress.Refusal {
            return .failure(FunctionError(.hostFunctionFailed, Self.message(for: refusal)))
        } catch {
            return .failure(FunctionError(.hostFunctionFailed, "\(error)"))
        }
        guard let client = client(for: host, pinnedTo: OutboundAddress.text(address)) else {
            return .failure(FunctionError(.hostFunctionFailed, "http_request: Swiftbase is shutting down"))
        }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .init(rawValue: request.method.uppercased())
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds))
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return .success(
                PluginHTTPResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView)))
        } catch let error as NIOTooManyBytesError {
            return .failure(
                FunctionError(.hostFunctionFailed, "http_request: the answer is over \(Self.maxResponseBytes) bytes (\(error))"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(FunctionError(.hostFunctionFailed, "http_request: no answer from \(host) within \(timeout)"))
        } catch {
            return .failure(FunctionError(.hostFunctionFailed, "http_request to \(host) failed: \(error)"))
        }
    }

    static func message(for refusal: OutboundAddress.Refusal) -> String {
        switch refusal {
        case .unresolvable(let host, let reason): "http_request: the host \(host) could not be resolved: \(reason)"
        case .privateAddress(let host, let address):
            "http_request: refused: \(host) resolves to \(address), a loopback, private or link-local address "
                + "(set functions.allowPrivateHosts in the settings to allow it)"
        }
    }

    /// The client whose connections to `host` (as the URL writes it) go to `address`; a new one when the name now
    /// resolves elsewhere (the old one is retired once its requests can have ended). Nil after `shutdown`.
    private func client(for host: String, pinnedTo address: String) -> HTTPClient? {
        var retired: [HTTPClient] = []
        defer {
            for client in retired {
                Task {
                    try? await Task.sleep(for: Self.defaultTimeout)
                    try? await client.shutdown()
                }
            }
        }
        return state.withLock { state -> HTTPClient? in
            guard case .open(var pinned) = state else { return nil }
            if let known = pinned[host], known.address == address { return known.client }
            if let old = pinned.removeValue(forKey: host) { retired.append(old.client) }
            if pinned.count >= Self.maxPinnedHosts, let evicted = pinned.keys.first {
                retired.append(pinned.removeValue(forKey: evicted)!.client)
            }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)),
                connectionPool: .init(idleTimeout: .seconds(60)))
            configuration.httpVersion = .http1Only
            // Keyed by the host as the request's URL writes it (AsyncHTTPClient matches it as written); an IP
            // literal needs no pin.
            let name = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            if !OutboundAddress.isLiteral(name) { configuration.dnsOverride = [host: address] }
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            pinned[host] = Pinned(address: address, client: client)
            state = .open(pinned)
            return client
        }
    }

    /// Closes the client; later requests fail.
    func shutdown() async {
        let open = state.withLock { state -> [HTTPClient] in
            defer { state = .closed }
            if case .open(let pinned) = state { return pinned.values.map(\.client) }
            return []
        }
        for client in open { try? await client.shutdown() }
    }
}

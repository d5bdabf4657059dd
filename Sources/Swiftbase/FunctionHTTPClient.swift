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
/// Every request goes to an address Swiftbase resolved and checked itself (`PinnedHTTPClients`), so a DNS
/// server answering differently when the connection is made (rebinding) cannot send a plug-in's request to a
/// private address. The clients are closed by `shutdown`.
///
/// A plug-in's host call runs on its guest thread, so `send` blocks that thread until the answer (or the
/// call's remaining time) is in.
final class FunctionHTTPClient: PluginHTTPClient {
    /// The most of an answer's body a plug-in gets (Extism's default `http_response_max_bytes` is 50 MiB; a
    /// plug-in's memory is 64 MiB by default).
    static let maxResponseBytes = 16 << 20
    /// A request without a call timeout still ends.
    static let defaultTimeout: Duration = .seconds(30)

    private let clients: PinnedHTTPClients = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)),
            connectionPool: .init(idleTimeout: .seconds(60)))
        configuration.httpVersion = .http1Only
        return PinnedHTTPClients(configuration: configuration, retireAfter: FunctionHTTPClient.defaultTimeout)
    }()
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
        let client: HTTPClient
        do {
            client = try await clients.client(for: host, allowPrivate: !checkAddresses)
        } catch let refusal as OutboundAddress.Refusal {
            return .failure(FunctionError(.hostFunctionFailed, Self.message(for: refusal)))
        } catch {
            return .failure(FunctionError(.hostFunctionFailed, "http_request: \(error)"))
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

    /// Closes the client; later requests fail.
    func shutdown() async {
        await clients.shutdown()
    }
}

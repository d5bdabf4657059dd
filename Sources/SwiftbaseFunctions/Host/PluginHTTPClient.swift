/// An HTTP request a plug-in makes with `extism:host/env` `http_request`: Extism's `HttpRequest` JSON
/// (`{"url", "headers", "method"}`) plus the body the guest passed beside it.
public struct PluginHTTPRequest: Sendable, Equatable {
    public var url: String
    /// Upper-cased; `GET` when the plug-in named none.
    public var method: String
    public var headers: [String: String]
    public var body: [UInt8]?

    public init(url: String, method: String = "GET", headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// The answer the plug-in then reads: the body through the returned offset, the status through
/// `http_status_code`, the headers (as a JSON object) through `http_headers`.
public struct PluginHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The seam behind `http_request`: who, if anyone, sends a plug-in's HTTP requests.
///
/// Called synchronously on the guest's own thread (never on the async pool), so an implementation may block for
/// the length of a request; it should give up by `timeout`, the time the call has left. A thrown error ends the
/// call with ``FunctionError/Code/hostFunctionFailed`` and the error's description as the message.
public protocol PluginHTTPClient: Sendable {
    /// - Parameters:
    ///   - allowedHosts: the plug-in's `allowedHosts` (``PluginOptions/allowedHosts``); checking them is the
    ///     client's job, as is refusing private addresses.
    ///   - timeout: what is left of the call's timeout, or `nil` when it has none.
    func send(_ request: PluginHTTPRequest, allowedHosts: [String], timeout: Duration?) throws -> PluginHTTPResponse
}

/// The default client: refuses every request, with Extism's own words for a host built without HTTP.
public struct RefusingPluginHTTPClient: PluginHTTPClient {
    public init() {}

    public func send(_ request: PluginHTTPRequest, allowedHosts: [String], timeout: Duration?) throws
        -> PluginHTTPResponse
    {
        throw FunctionError(
            .hostFunctionFailed, "http_request is not enabled, request to \(request.url) is not allowed"
        )
    }
}

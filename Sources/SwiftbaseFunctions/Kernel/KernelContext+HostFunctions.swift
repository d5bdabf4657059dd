internal import Foundation

/// The parts of the Extism host functions that do more than move bytes: vars, HTTP.
extension KernelContext {
    /// Reads the block at `handle` as UTF-8 text and frees it: the host takes ownership of keys and messages.
    func takeString(_ handle: UInt64, for function: StaticString) throws -> String {
        let bytes = try memory.contents(of: handle, for: function)
        memory.release(handle)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `var_set`: a value offset of 0 removes the key; otherwise the value is copied out of Extism memory, keeping
    /// the store under ``PluginLimits/maxVarBytes`` (keys and values counted), and both blocks are freed.
    func setVar(key keyHandle: UInt64, value valueHandle: UInt64) throws {
        let limit = options.limits.maxVarBytes
        guard limit > 0 else { throw KernelFault.message("extism:host/env var_set: vars are disabled by this host") }
        let key = try memory.contents(of: keyHandle, for: "var_set")
        let name = String(decoding: key, as: UTF8.self)
        guard valueHandle != 0 else {
            vars[name] = nil
            memory.release(keyHandle)
            return
        }
        let value = try memory.contents(of: valueHandle, for: "var_set")
        var size = name.utf8.count + value.count
        for (existingKey, existingValue) in vars where existingKey != name {
            size += existingKey.utf8.count + existingValue.count
        }
        guard size <= limit else { throw KernelFault.message("extism:host/env var_set: variable store is full") }
        memory.release(valueHandle)
        memory.release(keyHandle)
        vars[name] = value
    }

    /// `http_request`: decodes Extism's `HttpRequest` JSON, hands it to the plug-in's HTTP client, and returns the
    /// response body as a new block (0 when empty). Status and headers are kept for `http_status_code` and
    /// `http_headers`.
    func performHTTPRequest(request requestHandle: UInt64, body bodyHandle: UInt64) throws -> UInt64 {
        lastHTTPStatus = 0
        lastHTTPHeaders = nil
        let json = try memory.contents(of: requestHandle, for: "http_request")
        memory.release(requestHandle)
        let decoded: ExtismHTTPRequest
        do {
            decoded = try JSONDecoder().decode(ExtismHTTPRequest.self, from: Data(json))
        } catch {
            throw KernelFault.message("extism:host/env http_request: the request is not Extism's HttpRequest JSON")
        }
        var body: [UInt8]?
        if bodyHandle != 0 {
            body = try memory.contents(of: bodyHandle, for: "http_request")
            memory.release(bodyHandle)
        }
        let request = PluginHTTPRequest(
            url: decoded.url, method: (decoded.method ?? "GET").uppercased(), headers: decoded.headers ?? [:],
            body: body
        )
        let timeout = deadline.map { max(.zero, $0 - ContinuousClock.now) }
        let response = try options.httpClient.send(request, allowedHosts: options.allowedHosts, timeout: timeout)
        lastHTTPStatus = Int32(clamping: response.status)
        lastHTTPHeaders = response.headers
        return try memory.allocate(copying: response.body)
    }

    /// `http_headers`: the last response's headers as a JSON object, or 0 before any response.
    func lastHTTPHeadersJSON() throws -> UInt64 {
        guard let headers = lastHTTPHeaders else { return 0 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try memory.allocate(copying: try encoder.encode(headers))
    }
}

/// Extism's `HttpRequest` (extism-manifest): `{"url": …, "headers": {…}, "method": …}`.
private struct ExtismHTTPRequest: Decodable {
    let url: String
    let headers: [String: String]?
    let method: String?
}

import Foundation

/// An HTTP request to a function (`ANY /api/fn/{name}/{path…}`), as the transport hands it over.
public struct FunctionHTTPRequest: Sendable {
    public var method: String
    /// What follows `/api/fn/{name}`; `/` when nothing does.
    public var path: String
    public var query: [String: String]
    /// Names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String], headers: [String: String], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What a function answers an HTTP request with.
public struct FunctionHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
}

extension FunctionService {
    /// Calls `name`'s HTTP trigger for `request` from `caller`. A function that is not running or has no HTTP
    /// trigger is a 404; a failed call a 500, one past its timeout a 504 (both naming the function).
    public func callHTTP(_ name: String, _ request: FunctionHTTPRequest, caller: AuthContext) async throws
        -> FunctionHTTPResponse
    {
        guard let function = function(named: name),
            let trigger = function.config.triggers.first(where: { if case .http = $0 { true } else { false } })
        else { throw SwiftbaseError.notFound() }
        let input: JSONValue = [
            "method": .string(request.method), "path": .string(request.path),
            "query": .object(request.query.mapValues { .string($0) }),
            "headers": .object(request.headers.mapValues { .string($0) }),
            "body": .string(String(decoding: request.body, as: UTF8.self)),
            "auth": FunctionInputs.auth(caller, schema: registry.snapshot),
        ]
        let call = FunctionCall(
            trigger: "http", export: trigger.export, input: Array(input.jsonString.utf8),
            identity: function.config.runAs(for: trigger).identity(function: name, caller: caller))
        let output: [UInt8]
        do throws(FunctionCallError) {
            output = try await engine.call(name, call)
        } catch {
            throw error.swiftbaseError(function: name)
        }
        return Self.httpResponse(from: output)
    }

    /// Reads a plug-in's output as an HTTP answer: `{"status", "headers", "body"}` (any of them), or anything
    /// else as a 200 body as it is.
    static func httpResponse(from output: [UInt8]) -> FunctionHTTPResponse {
        // The strict reader, not Foundation's decoder: this runs on every call, and outputs are small documents.
        let parsed = try? StrictJSONParser.parseDocument(output)
        guard let object = parsed?.objectValue, !object.isEmpty,
            object.keys.allSatisfy({ ["status", "headers", "body"].contains($0) })
        else {
            let type = parsed != nil ? "application/json" : "text/plain; charset=utf-8"
            return FunctionHTTPResponse(status: 200, headers: ["content-type": type], body: output)
        }
        var status = 200
        if let number = object["status"]?.doubleValue, number.rounded() == number, (100...599).contains(number) {
            status = Int(number)
        }
        var headers: [String: String] = [:]
        for (key, value) in object["headers"]?.objectValue ?? [:] {
            headers[key.lowercased()] = value.stringValue ?? value.jsonString
        }
        var body: [UInt8] = []
        switch object["body"] {
        case nil, .null?:
            break
        case .string(let text)?:
            body = Array(text.utf8)
            if headers["content-type"] == nil { headers["content-type"] = "text/plain; charset=utf-8" }
        case let json?:
            body = Array(json.jsonString.utf8)
            if headers["content-type"] == nil { headers["content-type"] = "application/json" }
        }
        return FunctionHTTPResponse(status: status, headers: headers, body: body)
    }
}

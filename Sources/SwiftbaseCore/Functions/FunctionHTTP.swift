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
        let input = Self.httpInput(request, auth: FunctionInputs.auth(caller, schema: registry.snapshot))
        let call = FunctionCall(
            trigger: "http", export: trigger.export, input: input,
            identity: function.config.runAs(for: trigger).identity(function: name, caller: caller))
        let output: [UInt8]
        do throws(FunctionCallError) {
            output = try await engine.call(name, call)
        } catch {
            throw error.swiftbaseError(function: name)
        }
        return Self.httpResponse(from: output)
    }

    /// The plug-in's input for `request`: `{"auth", "body", "headers", "method", "path", "query"}`, written as
    /// `JSONValue.jsonString` would write that object (keys in byte order) without building it first.
    static func httpInput(_ request: FunctionHTTPRequest, auth: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + request.body.count + request.path.utf8.count)
        func strings(_ values: [String: String]) {
            out.append(UInt8(ascii: "{"))
            for (index, key) in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.writeString(values[key] ?? "", into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"{"auth":"#.utf8)
        JSONWriter.write(auth, into: &out)
        out.append(contentsOf: #","body":"#.utf8)
        JSONWriter.writeString(String(decoding: request.body, as: UTF8.self), into: &out)
        out.append(contentsOf: #","headers":"#.utf8)
        strings(request.headers)
        out.append(contentsOf: #","method":"#.utf8)
        JSONWriter.writeString(request.method, into: &out)
        out.append(contentsOf: #","path":"#.utf8)
        JSONWriter.writeString(request.path, into: &out)
        out.append(contentsOf: #","query":"#.utf8)
        strings(request.query)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reads a plug-in's output as an HTTP answer: `{"status", "headers", "body"}` (any of them), or anything
    /// else as a 200 body as it is. A JSON body is sent as the bytes the plug-in wrote (checked, not rebuilt): its
    /// key order, spacing and numbers as written, large integers included.
    static func httpResponse(from output: [UInt8]) -> FunctionHTTPResponse {
        let members: [StrictJSONParser.Member]?
        do {
            members = try StrictJSONParser.objectMembers(output)
        } catch {
            return FunctionHTTPResponse(status: 200, headers: ["content-type": "text/plain; charset=utf-8"], body: output)
        }
        guard let members, !members.isEmpty, members.allSatisfy({ ["status", "headers", "body"].contains($0.name) })
        else {
            return FunctionHTTPResponse(status: 200, headers: ["content-type": "application/json"], body: output)
        }
        func value(_ name: String) -> JSONValue? {
            guard let member = members.first(where: { $0.name == name }) else { return nil }
            var parser = StrictJSONParser(output, at: member.value.lowerBound)
            return try? parser.parseLeadingValue()
        }
        var status = 200
        if let number = value("status")?.doubleValue, number.rounded() == number, (100...599).contains(number) {
            status = Int(number)
        }
        var headers: [String: String] = [:]
        for (key, value) in value("headers")?.objectValue ?? [:] {
            headers[key.lowercased()] = value.stringValue ?? value.jsonString
        }
        var body: [UInt8] = []
        if let member = members.first(where: { $0.name == "body" }) {
            switch output[member.value.lowerBound] {
            case UInt8(ascii: "n"):  // null
                break
            case UInt8(ascii: "\""):
                body = Array((value("body")?.stringValue ?? "").utf8)
                if headers["content-type"] == nil { headers["content-type"] = "text/plain; charset=utf-8" }
            default:
                body = Array(output[member.value])
                if headers["content-type"] == nil { headers["content-type"] = "application/json" }
            }
        }
        return FunctionHTTPResponse(status: status, headers: headers, body: body)
    }
}

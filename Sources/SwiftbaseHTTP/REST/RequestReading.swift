import Foundation
import Hummingbird
import SwiftbaseCore

/// Reading what a handler needs from a request: the body within the size limit, the query, and the
/// `RequestInfo` that rules evaluate.
extension Request {
    /// Collects and decodes the body; over `limit` bytes is a 413.
    mutating func decodedBody(limit: Int) async throws -> RequestBody {
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw SwiftbaseError.tooLarge()
        }
        return try RequestBodyDecoder.decode(
            contentType: headers[.contentType], body: Array(buffer.readableBytesView))
    }

    var query: QueryParameters { QueryParameters(uri.query) }

    /// `@request.*` for rules: headers lower-cased with `-` as `_`.
    func requestInfo(auth: AuthContext, body: [String: JSONValue] = [:], context: String = "default") -> RequestInfo {
        var headerValues: [String: String] = [:]
        for field in headers {
            headerValues[field.name.canonicalName.lowercased().replacingOccurrences(of: "-", with: "_")] = field.value
        }
        return RequestInfo(
            auth: auth, body: body, query: query.dictionary, headers: headerValues, method: method.rawValue,
            context: context)
    }
}

import Foundation
public import Hummingbird
public import SwiftbaseCore

/// Reading what a handler needs from a request: the body within the size limit, the query, and the
/// `RequestInfo` that rules evaluate.
extension Request {
    /// Collects and decodes the body; over `limit` bytes is a 413. A body that does not parse answers 400 with
    /// `malformed`: PocketBase words it per endpoint (records say only the generic message, collection
    /// creation names the type data, auth forms "An error occurred while loading the submitted data.").
    mutating func decodedBody(limit: Int, malformed: MalformedBodyMessage) async throws -> RequestBody {
        try refuseAnnouncedBody(over: limit)
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw SwiftbaseError.tooLarge()
        }
        return try Self.decode(buffer, contentType: headers[.contentType], malformed: malformed)
    }

    /// Throws 413 when the announced `Content-Length` is over `limit`, before reading: as PocketBase does,
    /// the client need not send (nor the server wait for) 50 MB to be told.
    func refuseAnnouncedBody(over limit: Int) throws {
        if let announced = headers[.contentLength].flatMap({ Int($0) }), announced > limit {
            throw SwiftbaseError.tooLarge()
        }
    }

    private static func decode(_ buffer: ByteBuffer, contentType: String?, malformed: MalformedBodyMessage) throws
        -> RequestBody
    {
        let result = Result { () throws(SwiftbaseError) -> RequestBody in
            try RequestBodyDecoder.decode(contentType: contentType, body: Array(buffer.readableBytesView))
        }
        switch result {
        case .success(let body):
            return body
        case .failure(var error):
            if error.message == RequestBodyDecoder.invalidFormattingMessage { error.message = malformed.rawValue }
            throw error
        }
    }

    var query: QueryParameters { QueryParameters(uri.query) }

    /// The request as rules see it (`@request.*`), for a route that calls the record service for the
    /// requester: headers lower-cased with `-` as `_`.
    public func requestInfo(auth: AuthContext, body: [String: JSONValue] = [:], context: String = "default") -> RequestInfo {
        var headerValues: [String: String] = [:]
        for field in headers {
            headerValues[Self.ruleHeaderName(field.name.canonicalName)] = field.value
        }
        return RequestInfo(
            auth: auth, body: body, query: query.dictionary, headers: headerValues, method: method.rawValue,
            context: context)
    }

    /// A header's name as rules spell it (`@request.headers.x_token`): lowercase, `-` as `_`. Canonical
    /// names are already lowercase ASCII; this runs for every header of every request, so no Foundation.
    fileprivate static func ruleHeaderName(_ canonical: String) -> String {
        String(decoding: canonical.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "_")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }
}

/// What a request answers when its body does not parse, in PocketBase's words for each endpoint.
enum MalformedBodyMessage: String {
    /// Record create and update.
    case generic = "Something went wrong while processing your request."
    /// Collection create: PocketBase reads `type` and `name` first.
    case collectionType = "Failed to load the collection type data due to invalid formatting."
    /// Collection update.
    case submittedData = "Failed to load the submitted data due to invalid formatting."
    /// Forms: auth-with-password, collections import, and the other auth forms.
    case form = "An error occurred while loading the submitted data."
}

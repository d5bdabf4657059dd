public import Hummingbird
public import SwiftbaseCore

/// JSON responses as PocketBase writes them: `Content-Type: application/json`, compact, no trailing newline.
public enum JSONResponse {
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        JSONWriter.write(value, into: &bytes)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A success response with the request's `fields` projection applied to the whole object.
    static func object(_ value: JSONValue, query: QueryParameters) throws -> Response {
        guard let fields = query["fields"], !fields.isEmpty else { return make(value) }
        let spec = try FieldsProjection.parse(fields)
        return make(FieldsProjection.apply(spec, to: value))
    }

    /// A list envelope whose `fields` projection applies to each item only.
    static func list(
        page: Int, perPage: Int, totalItems: Int, totalPages: Int, items: [JSONValue], query: QueryParameters
    ) throws -> Response {
        var projected = items
        if let fields = query["fields"], !fields.isEmpty {
            let spec = try FieldsProjection.parse(fields)
            projected = items.map { FieldsProjection.apply(spec, to: $0) }
        }
        return make([
            "page": .number(Double(page)), "perPage": .number(Double(perPage)),
            "totalItems": .number(Double(totalItems)), "totalPages": .number(Double(totalPages)),
            "items": .array(projected),
        ])
    }

    static let noContent = Response(status: .noContent)
}

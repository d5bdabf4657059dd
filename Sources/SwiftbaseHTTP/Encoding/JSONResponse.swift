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

    /// A response of JSON already written to bytes.
    static func encoded(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
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
        return list(page: page, perPage: perPage, totalItems: totalItems, totalPages: totalPages, items: projected)
    }

    /// A list envelope around items already projected (records, which `RecordPresenter` projects).
    static func list(page: Int, perPage: Int, totalItems: Int, totalPages: Int, items: [JSONValue]) -> Response {
        // Written by hand, keys in order, so the numbers stay integers: a page echoed back as a double
        // (`?page=307445734561825862` → 307445734561825860) would not be the page asked for.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        bytes.append(contentsOf: #"{"items":"#.utf8)
        JSONWriter.write(.array(items), into: &bytes)
        for (key, number) in [("page", page), ("perPage", perPage), ("totalItems", totalItems), ("totalPages", totalPages)] {
            bytes.append(contentsOf: #",""#.utf8)
            bytes.append(contentsOf: key.utf8)
            bytes.append(contentsOf: #"":"#.utf8)
            bytes.append(contentsOf: String(number).utf8)
        }
        bytes.append(UInt8(ascii: "}"))
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static let noContent = Response(status: .noContent)
}

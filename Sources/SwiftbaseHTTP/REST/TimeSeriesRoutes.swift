import Foundation
import Hummingbird
import SwiftbaseCore

/// `/api/timeseries/{collection}/…` — the bulk write and the range query of `timeseries` collections, both
/// through `RecordService` with the collection's rules (create for points, list for queries).
///
/// - `POST …/points`: a JSON array of point objects, or one object per line with
///   `Content-Type: application/x-ndjson`. All or nothing: `{"inserted": n}`, or a 400 naming the first bad
///   point: `{"status": 400, "message": "Failed to create points.", "data": {"points": {"<index>": {<field errors>}}}}`
///   (a create rule refusing that point puts `{"code": "validation_rule_failed", …}` there instead).
/// - `GET …/query?from=&to=&step=&agg=&fields=&filter=&groupBy=`: buckets (see `TimeSeriesResult.json`).
struct TimeSeriesRoutes {
    let services: HTTPServices

    /// Bulk bodies may be larger than a record's: up to 64 MB, or the server's body limit if larger.
    var pointsBodyLimit: Int { max(services.maxBodySize, 64 << 20) }

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/timeseries/:collection")
        group.post("points") { request, context in
            var request = request
            let name = try RecordRoutes.collectionName(context)
            let collection = try RecordRoutes.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.pointsRoute, tags: ["create"])
            let auth = try context.auth.acting(.create, on: collection)
            try request.refuseAnnouncedBody(over: pointsBodyLimit)
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: pointsBodyLimit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw SwiftbaseError.tooLarge()
            }
            let points = try PointBody.parse(
                Array(buffer.readableBytesView), format: Self.format(request.headers[.contentType] ?? ""),
                fieldNames: collection.fields.map(\.name))
            let info = request.requestInfo(auth: auth)
            do {
                let inserted = try await services.records.createPoints(in: collection.id, parsed: points, request: info)
                return JSONResponse.make(.object(["inserted": .number(Double(inserted))]))
            } catch let failure as PointBatchFailure {
                throw Self.refusal(failure)
            }
        }
        group.get("query") { request, context in
            let name = try RecordRoutes.collectionName(context)
            let collection = try RecordRoutes.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.queryRoute, tags: ["list"])
            let info = request.requestInfo(auth: try context.auth.acting(.list, on: collection))
            let query = try TimeSeriesQuery(parameters: request.query.dictionary)
            let result = try await services.records.queryPoints(in: collection.id, query: query, request: info)
            return JSONResponse.encoded(result.encoded)
        }
    }

    static let pointsRoute = "/api/timeseries/{collection}/points"
    static let queryRoute = "/api/timeseries/{collection}/query"

    /// Newline-delimited JSON for `application/x-ndjson` (or `jsonlines`/`jsonl`), a JSON array otherwise.
    static func format(_ contentType: String) -> PointBody.Format {
        let type = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let lines = type == "application/x-ndjson" || type == "application/jsonlines" || type == "application/jsonl"
        return lines ? .lines : .array
    }

    /// The batch's error, in PocketBase's shape, under `points.<index>`.
    static func refusal(_ failure: PointBatchFailure) -> SwiftbaseError {
        let error = failure.error
        guard error.code == .badRequest else { return error }
        let detail: ErrorData =
            error.data.isEmpty ? .item(ErrorItem("validation_rule_failed", error.message)) : error.data
        var refusal = SwiftbaseError.validation(
            "Failed to create points.", .fields(["points": .fields([String(failure.index): detail])]))
        refusal.audit = error.audit
        return refusal
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SwiftbaseCore

/// `POST /api/batch` — record creates, updates, upserts and deletes run in one transaction: all commit, or
/// the first failure rolls every one back and is answered as PocketBase does, nested under
/// `data.requests.<index>.response`. Off unless `settings.batch.enabled`; every item acts with the batch's
/// own auth (an item's `Authorization` header is ignored) and `@request.context = "batch"`.
struct BatchRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.post("/api/batch") { request, context in
            let limits = BatchLimits(services.settings.snapshot["batch"])
            guard limits.enabled else { throw SwiftbaseError.forbidden("Batch requests are not allowed.") }
            var request = request
            let items = try BatchForm.items(from: try await Self.body(&request, limit: limits.maxBodySize), maxRequests: limits.maxRequests)
            let started = ContinuousClock.now
            let expired: @Sendable () -> Bool = { ContinuousClock.now - started > .seconds(limits.timeout) }

            var plans: [BatchPlan] = []
            for (index, item) in items.enumerated() {
                if expired() { throw Self.timedOut }
                do {
                    plans.append(try await plan(item, index: index, request: request, context: context))
                } catch {
                    throw failure(error, at: index, context: context)
                }
            }
            let results: [RecordModel?]
            do {
                results = try await services.records.performBatch(plans.map(\.write), expired: expired)
            } catch let failed as RecordBatchFailure {
                throw failure(failed.error, at: failed.index, context: context)
            } catch RecordBatchTimeout.expired {
                throw Self.timedOut
            }
            var answers: [JSONValue] = []
            for (plan, record) in zip(plans, results) {
                guard let record else {
                    answers.append(["status": 204, "body": .null])
                    continue
                }
                let body = try await services.presenter.json(
                    record, of: plan.collection, for: plan.info, try plan.query.recordPresentation())
                answers.append(["status": 200, "body": body])
            }
            return JSONResponse.make(.array(answers))
        }
    }

    static let timedOut = SwiftbaseError.badRequest("Batch transaction failed.")

    /// The body up to the batch limit: a declared length over it is a 413, a stream that runs over it
    /// cannot be read.
    static func body(_ request: inout Request, limit: Int) async throws -> RequestBody {
        try request.refuseAnnouncedBody(over: limit)
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return try RequestBodyDecoder.decode(
                contentType: request.headers[.contentType], body: Array(buffer.readableBytesView))
        } catch {
            throw BatchForm.readFailed
        }
    }

    /// An item counts against the collection's rate limits as the record route it stands for would (an upsert
    /// as the create or update it becomes), on a counter of its own, as PocketBase counts batch items.
    private func rateLimit(
        _ action: BatchAction, body: [String: JSONValue], url: String, collection: CollectionModel,
        context: SwiftbaseRequestContext
    ) async throws {
        guard services.rateLimiter.isEnabled else { return }
        let tag: String
        switch action.kind {
        case .create: tag = "create"
        case .update: tag = "update"
        case .delete: tag = "delete"
        case .upsert:
            let id = body["id"]?.stringValue ?? ""
            var exists = false
            if !id.isEmpty { exists = try await services.auth.findRecord(id: id, in: collection) != nil }
            tag = exists ? "update" : "create"
        }
        let path = String(url.prefix { $0 != "?" })
        try services.rateLimiter.checkCollectionRoute(
            collection: collection, route: "", tags: [tag], method: tag == "update" ? "PATCH" : action.method,
            path: path, auth: context.auth, clientIP: context.clientIP)
    }

    /// One item turned into a prepared record write, with what its answer needs.
    private func plan(_ item: BatchItem, index: Int, request: Request, context: SwiftbaseRequestContext) async throws
        -> BatchPlan
    {
        guard let action = BatchAction(method: item.method, url: item.url) else {
            // PocketBase answers an unknown first action 400; a later one comes out as 500.
            throw index == 0
                ? SwiftbaseError.badRequest()
                : SwiftbaseError(.internalError, "Something went wrong while processing your request.")
        }
        let collection = try RecordRoutes.collection(action.collection, services)
        try await rateLimit(action, body: item.body, url: item.url, collection: collection, context: context)
        let query = QueryParameters(action.query)
        let auth = try context.auth.acting(action.recordAction, on: collection)
        // An upsert may become an update: an API key needs both scopes.
        if action.kind == .upsert { _ = try context.auth.acting(.update, on: collection) }
        let info = RequestInfo(
            auth: auth, body: item.body, query: query.dictionary, headers: Self.headers(request, item),
            method: action.method, context: "batch")
        let input = RecordInput(item.body, files: item.files.mapValues { $0.map(\.fileUpload) })
        let write: RecordWrite
        switch action.kind {
        case .create: write = try await services.records.prepareCreate(in: collection.id, input: input, request: info)
        case .upsert: write = try await services.records.prepareUpsert(in: collection.id, input: input, request: info)
        case .update(let id):
            write = try await services.records.prepareUpdate(in: collection.id, id: id, input: input, request: info)
        case .delete(let id): write = try await services.records.prepareDelete(in: collection.id, id: id, request: info)
        }
        return BatchPlan(write: write, collection: collection, query: query, info: info)
    }

    /// The batch request's headers with the item's over them, as rules see them; never `Authorization`.
    static func headers(_ request: Request, _ item: BatchItem) -> [String: String] {
        func key(_ name: String) -> String { name.lowercased().replacingOccurrences(of: "-", with: "_") }
        var headers: [String: String] = [:]
        for field in request.headers { headers[key(field.name.canonicalName)] = field.value }
        for (name, value) in item.headers { headers[key(name)] = value }
        headers["authorization"] = nil
        return headers
    }

    /// The batch's 400, carrying the failed item's own error response.
    private func failure(_ error: any Error, at index: Int, context: SwiftbaseRequestContext) -> SwiftbaseError {
        let inner: SwiftbaseError
        if let error = error as? SwiftbaseError {
            inner = error
            if let note = error.audit {
                services.audit.record(
                    AuditEvent(event: note.event, actor: context.auth.auditActor, ip: context.clientIP, target: note.target))
            }
        } else {
            context.logger.error("batch item failed", metadata: ["sb.error": "\(String(reflecting: error))"])
            inner = SwiftbaseError(.internalError, "Something went wrong while processing your request.")
        }
        let response: JSONValue = [
            "status": .number(Double(ErrorMiddleware.status(for: inner.code).code)), "message": .string(inner.message),
            "data": inner.data.json,
        ]
        let item = ErrorItem("batch_request_failed", "Batch request failed.", extra: ["response": response])
        return SwiftbaseError.validation(
            "Batch transaction failed.", .fields(["requests": .fields([String(index): .item(item)])]))
    }
}

private struct BatchPlan {
    let write: RecordWrite
    let collection: CollectionModel
    let query: QueryParameters
    let info: RequestInfo
}

/// `settings.batch`, with PocketBase's fallbacks: a timeout of 0 is 3 s, a body size of 0 is 128 MiB.
struct BatchLimits {
    let enabled: Bool
    let maxRequests: Int
    let timeout: Int
    let maxBodySize: Int

    init(_ settings: JSONValue?) {
        enabled = settings?["enabled"]?.boolValue ?? false
        maxRequests = Int(saturating: settings?["maxRequests"]?.doubleValue ?? 50)
        let timeout = Int(saturating: settings?["timeout"]?.doubleValue ?? 3)
        self.timeout = timeout > 0 ? timeout : 3
        let size = Int(saturating: settings?["maxBodySize"]?.doubleValue ?? 0)
        maxBodySize = size > 0 ? size : 128 << 20
    }
}

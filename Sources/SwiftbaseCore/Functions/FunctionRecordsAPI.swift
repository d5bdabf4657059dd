import Foundation

/// The records API functions call (`records_list` … `records_delete` in `extism:host/user`): a JSON request
/// in, a JSON answer out — `{"ok": …}` or `{"error": {"status", "message", "data"}}` — through `RecordService`
/// with the call's identity, so rules apply and the change log names who wrote, exactly as over REST.
public struct FunctionRecordsAPI: Sendable {
    public enum Operation: String, Sendable, CaseIterable {
        case list, get, create, update, delete

        /// The host function's name.
        public var hostFunction: String { "records_\(rawValue)" }

        var action: RecordAction {
            switch self {
            case .list: .list
            case .get: .view
            case .create: .create
            case .update: .update
            case .delete: .delete
            }
        }
    }

    let records: RecordService
    let presenter: RecordPresenter

    public init(records: RecordService, presenter: RecordPresenter) {
        self.records = records
        self.presenter = presenter
    }

    /// Answers one request; never throws — every failure is an `error` answer.
    public func handle(_ operation: Operation, request: [UInt8], identity: AuthContext) async -> [UInt8] {
        let answer: JSONValue
        do {
            answer = ["ok": try await perform(operation, request: request, identity: identity)]
        } catch let error as SwiftbaseError {
            answer = Self.error(error)
        } catch {
            answer = Self.error(SwiftbaseError(.internalError, "Something went wrong while processing your request."))
        }
        return answer.jsonBytes
    }

    /// The answer of a records call made where it cannot run (inside a before hook).
    public static func unavailable(_ operation: Operation) -> [UInt8] {
        let answer: JSONValue = [
            "error": [
                "status": 409,
                "message": .string("\(operation.hostFunction) is not available in a before hook (the write transaction holds the store)."),
                "data": [:],
            ]
        ]
        return answer.jsonBytes
    }

    static func error(_ error: SwiftbaseError) -> JSONValue {
        let status: Int =
            switch error.code {
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .gone: 410
            case .payloadTooLarge: 413
            case .tooManyRequests: 429
            case .internalError: 500
            case .gatewayTimeout: 504
            default: 400
            }
        return ["error": ["status": .number(Double(status)), "message": .string(error.message), "data": error.data.json]]
    }

    private func perform(_ operation: Operation, request: [UInt8], identity: AuthContext) async throws -> JSONValue {
        guard let json = try? StrictJSONParser.parseDocument(request), let body = json.objectValue else {
            throw SwiftbaseError.badRequest("The request must be a JSON object.")
        }
        let name = body["collection"]?.stringValue ?? ""
        guard !name.isEmpty else { throw SwiftbaseError.badRequest("The request must name a collection.") }
        guard let collection = records.registry.snapshot.collection(name) else {
            throw SwiftbaseError.notFound("Missing collection context.")
        }
        let auth = try identity.acting(operation.action, on: collection)
        let presentation = try RecordPresentation(
            expand: body["expand"]?.stringValue, fields: body["fields"]?.stringValue)
        func id() throws -> String {
            guard let id = body["id"]?.stringValue, !id.isEmpty else {
                throw SwiftbaseError.badRequest("The request must name the record's id.")
            }
            return id
        }
        func data() throws -> [String: JSONValue] {
            switch body["data"] {
            case nil, .null?: return [:]
            case .object(let data)?: return data
            default: throw SwiftbaseError.badRequest("\"data\" must be an object.")
            }
        }
        switch operation {
        case .list:
            let options = RecordListOptions(
                page: Self.integer(body["page"], default: 1), perPage: Self.integer(body["perPage"], default: 30),
                skipTotal: body["skipTotal"]?.boolValue ?? false, sort: body["sort"]?.stringValue ?? "",
                filter: body["filter"]?.stringValue ?? "")
            let info = RequestInfo(auth: auth, method: "GET")
            let page = try await records.list(in: name, options: options, request: info)
            let items = try await presenter.json(page.items, of: collection, for: info, presentation)
            return [
                "page": .number(Double(page.page)), "perPage": .number(Double(page.perPage)),
                "totalItems": .number(Double(page.totalItems)), "totalPages": .number(Double(page.totalPages)),
                "items": .array(items),
            ]
        case .get:
            let info = RequestInfo(auth: auth, method: "GET")
            let record = try await records.view(in: name, id: try id(), request: info)
            return try await presenter.json(record, of: collection, for: info, presentation)
        case .create:
            let values = try data()
            let info = RequestInfo(auth: auth, body: values, method: "POST")
            let record = try await records.create(in: name, input: RecordInput(values), request: info)
            return try await presenter.json(record, of: collection, for: info, presentation)
        case .update:
            let recordID = try id()
            let values = try data()
            let info = RequestInfo(auth: auth, body: values, method: "PATCH")
            let record = try await records.update(in: name, id: recordID, input: RecordInput(values), request: info)
            return try await presenter.json(record, of: collection, for: info, presentation)
        case .delete:
            try await records.delete(in: name, id: try id(), request: RequestInfo(auth: auth, method: "DELETE"))
            return true
        }
    }

    private static func integer(_ value: JSONValue?, default fallback: Int) -> Int {
        guard let number = value?.doubleValue, number.rounded() == number, abs(number) < 1e9 else { return fallback }
        return Int(number)
    }
}

import Foundation
import Hummingbird
import SwiftbaseCore

/// `POST /api/sql` — PocketBase's superuser SQL console (its JS SDK's `pb.sql.run`): `{"query"}` (JSON or a
/// form) of at most 5,000 bytes, run by the store's `SQLConsole`; the answer is
/// `{"execTime", "affectedRows", "columns": [{"name", "type", "nullable"}], "rows"}` with every value as text
/// (or null), at most 1,000 rows, as PocketBase's driver scans them. Superusers only; every run is audited
/// (`sql.run`, with the query and its outcome).
struct SQLRoutes {
    let services: HTTPServices

    static let maxRows = 1000
    static let maxQueryLength = 5000
    /// Declared types whose text PocketBase's driver reads as a time.
    static let timeTypes: Set<String> = ["DATE", "DATETIME", "TIMESTAMP"]

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.post("/api/sql") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            guard let console = services.sqlConsole else { throw SwiftbaseError.notFound() }
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form).values
            let query = try Self.query(in: body)
            let started = ContinuousClock.now
            let result: SQLConsoleResult
            do {
                result = try await console.run(query, maxRows: Self.maxRows)
            } catch let error as SQLConsoleError {
                context.audit(services, "sql.run", target: "", details: ["query": .string(query), "error": .string(error.message)])
                throw SwiftbaseError.badRequest(Self.sentence("Failed to execute query. Raw error:\n" + error.message))
            }
            let elapsed = ContinuousClock.now - started
            context.audit(
                services, "sql.run", target: "",
                details: [
                    "query": .string(query), "rows": .number(Double(result.rows.count)),
                    "affectedRows": .number(Double(result.affectedRows)),
                ])
            return JSONResponse.make(Self.json(result, milliseconds: elapsed.components.seconds * 1000
                + elapsed.components.attoseconds / 1_000_000_000_000_000))
        }
    }

    /// The form's one field: a string, required, at most `maxQueryLength` bytes of UTF-8 (PocketBase's check
    /// counts bytes). Any other type is a loading error, as PocketBase binds the body.
    static func query(in body: [String: JSONValue]) throws -> String {
        let value = body["query"] ?? .null
        let query: String
        switch value {
        case .null: query = ""
        case .string(let text): query = text
        default: throw SwiftbaseError.badRequest(MalformedBodyMessage.form.rawValue)
        }
        let problem: ErrorItem? =
            query.isEmpty
            ? .required
            : query.utf8.count > maxQueryLength
                ? ErrorItem(
                    "validation_length_too_long", "The length must be no more than \(maxQueryLength).",
                    params: ["min": 0, "max": .number(Double(maxQueryLength))])
                : nil
        if let problem {
            throw SwiftbaseError.validation("An error occurred while validating the submitted data.", .items(["query": problem]))
        }
        return query
    }

    static func json(_ result: SQLConsoleResult, milliseconds: Int64) -> JSONValue {
        [
            "execTime": .number(Double(milliseconds)),
            "affectedRows": .number(Double(result.affectedRows)),
            "columns": .array(
                result.columns.map { ["name": .string($0.name), "type": .string($0.declaredType), "nullable": true] }),
            "rows": .array(
                result.rows.map { row in
                    .array(zip(row, result.columns).map { value, column in text(of: value, declaredType: column.declaredType) })
                }),
        ]
    }

    /// A value as PocketBase's driver scans it into a string: numbers in Go's words, a blob's bytes as text,
    /// and text in a `DATE`/`DATETIME`/`TIMESTAMP` column read as a time and printed as Go prints one.
    static func text(of value: SQLValue, declaredType: String) -> JSONValue {
        switch value {
        case .null: .null
        case .integer(let i): .string(String(i))
        case .real(let d): .string(GoFloatText.format(d))
        case .text(let s):
            .string(Self.timeTypes.contains(declaredType) ? GoTimeText.rfc3339(s) ?? s : s)
        case .blob(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// PocketBase's error messages end with a full stop (its `Sentenize`).
    static func sentence(_ message: String) -> String {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let last = trimmed.last, !".?!".contains(last) else { return trimmed }
        return trimmed + "."
    }
}

import Foundation

/// Turns an API rule into a SQL condition for a requester, with the same filter language as `?filter=`.
///
/// A rule may use `@request.*` and `@collection.*` and hidden fields; client filters may not (unless the
/// client is a superuser). `nil` rules are decided before compiling (superusers only).
package enum RuleCompiler {
    /// The rule's condition, or nil when the rule is `""` (everyone).
    package static func condition(
        _ rule: String, collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo
    ) throws -> (condition: SQLFragment, joins: [SQLFragment], distinct: Bool)? {
        if rule.allSatisfy({ $0.isWhitespace }) { return nil }
        guard let expression = try FilterParser.parse(rule) else { return nil }
        var resolver = RecordFieldResolver(
            schema: schema, collection: collection, request: request, allowHiddenFields: true,
            allowRequestAndCollectionReferences: true)
        let condition = try FilterCompiler.compile(expression, resolver: &resolver)
        return (condition, resolver.joins, resolver.needsDistinct)
    }
}

/// Checks a rule's syntax and field references when a collection is saved.
enum RuleValidation {
    static func check(_ rule: String, collection: CollectionModel, schema: SchemaSnapshot) -> ErrorItem? {
        do {
            _ = try RuleCompiler.condition(
                rule, collection: collection, schema: schema,
                request: RequestInfo(auth: .guest, method: "GET"))
            return nil
        } catch let error as SwiftbaseError {
            let detail = error.debugDetail ?? error.message
            return ErrorItem("validation_invalid_rule", "Invalid rule. Raw error: \(detail)")
        } catch {
            return ErrorItem("validation_invalid_rule", "Invalid rule.")
        }
    }
}

// Rules judged without a record: over `@request.*` only (an MQTT ACL entry's `publish` / `subscribe`). They are
// compiled and run like every collection rule — same parser, same `@request.auth.*` resolution (plain fields
// bound as values, other fields and relations joined) — against a one-row stand-in that has nothing but an id,
// so a bare field name in such a rule is an error, not a silent match.

extension RecordService {
    /// Whether `rule` (a non-empty filter over `@request.*`) holds for `request`. Superusers are not special
    /// here: the caller decides them (and `""` / `nil`) first. A rule that does not compile allows nothing.
    public func requestRuleAllows(_ rule: String, request: RequestInfo) async throws -> Bool {
        let schema = registry.snapshot
        let check: SQLFragment?
        do {
            check = try Self.candidateCheck(Self.requestStandIn, collection: Self.requestStandInCollection, schema: schema)
            { candidate, query in
                query.add(try RuleCompiler.condition(rule, collection: candidate, schema: schema, request: request))
            }
        } catch {
            return false
        }
        guard let check else { return true }
        return try await store.read { conn in try conn.row(check) != nil }
    }

    /// Why `rule` cannot be a rule over `@request.*` (syntax, or a reference to a field of a record), in
    /// PocketBase's `validation_invalid_rule` shape; nil when it can. Checked against `schema` as a guest.
    public static func requestRuleProblem(_ rule: String, schema: SchemaSnapshot) -> ErrorItem? {
        RuleValidation.check(rule, collection: requestStandInCollection, schema: schema)
    }

    /// The collection a request rule is compiled against: an id and nothing else.
    static let requestStandInCollection = CollectionModel(
        id: "_sb_request", name: "_sb_request", system: true, fields: [SystemCollections.idField()])

    static let requestStandIn = RecordModel(
        collectionId: "_sb_request", collectionName: "_sb_request", values: ["id": .string("sbrequest000000")])
}

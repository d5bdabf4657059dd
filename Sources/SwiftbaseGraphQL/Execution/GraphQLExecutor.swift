import GraphQL
import OrderedCollections
import SwiftbaseCore

/// One GraphQL request as clients send it: `{query, variables, operationName}`.
struct GraphQLOperationRequest: Sendable {
    var query: String
    var variables: [String: Map] = [:]
    var operationName: String?
}

/// What a request answers: the GraphQL result and the HTTP status it goes with (200 unless the request
/// could not be taken at all).
struct GraphQLOutcome: Sendable {
    var result: GraphQLResult
    var status: Int = 200
    /// Root fields answered as JSON the database wrote (`FastQuery`); `result` holds placeholders for them.
    var prewritten: [String: [UInt8]] = [:]

    /// The answer's JSON bytes.
    func json() throws -> [UInt8] {
        try GraphQLResultWriter.json(result, prewritten: prewritten)
    }
}

/// Runs GraphQL requests against the current schema, independent of the transport (HTTP now; WebSocket
/// subscriptions can run through the same steps): bound the text, parse, validate, check the limits, then
/// execute with the resolvers calling the core. Every failure is an answer, never a thrown error.
struct GraphQLExecutor: Sendable {
    let cache: GraphQLSchemaCache
    /// The page size and text nesting limits; depth, breadth, cost and time come from `settings`.
    let limits: GraphQLLimits
    /// The `graphql` settings (introspection and the bounds of an operation), read per operation.
    var settings: @Sendable () -> GraphQLSettings = { .defaults }

    /// Whether plain record queries skip the GraphQL package's executor (`FastQuery`); off only to compare
    /// the two in tests.
    var fastPath = true

    /// Whether `FastQuery` may have the database build list answers (`RecordService.listJSON`); off only to
    /// compare the two in tests.
    var listsInSQL = true

    /// The limits the next operation is held to.
    var currentLimits: GraphQLLimits { limits.with(settings()) }

    /// - Parameters:
    ///   - allowMutations: false for `GET`, where a mutation is refused (405) as GraphQL over HTTP asks.
    ///   - writesJSON: whether the caller writes the outcome with `GraphQLOutcome.json()`, so that root fields
    ///     may come back prewritten.
    func run(
        _ request: GraphQLOperationRequest, context: GraphQLRequestContext, errors mapping: GraphQLErrorMapping,
        allowMutations: Bool, writesJSON: Bool = false
    ) async -> GraphQLOutcome {
        let bundle: GraphQLSchemaBundle
        let document: Document
        switch prepare(request) {
        case .success(let prepared): (bundle, document) = prepared
        case .failure(let refusal):
            // Only a failed schema build (500) carries a cause to hide; parse and validation errors are the client's.
            let errors = refusal.status == 500 ? mapping.map(refusal.errors) : refusal.errors
            return GraphQLOutcome(result: GraphQLResult(errors: errors), status: refusal.status)
        }
        let operation = Self.operation(in: document, named: request.operationName)
        let kind = operation?.operation
        if kind == .subscription {
            return GraphQLOutcome(
                result: GraphQLResult(errors: [
                    GraphQLError(message: "Subscriptions are served over a WebSocket at /api/graphql.")
                ]))
        }
        if !allowMutations, kind == .mutation {
            return GraphQLOutcome(
                result: GraphQLResult(errors: [GraphQLError(message: "Mutations are only accepted in POST requests.")]),
                status: 405)
        }
        let timeout = currentLimits.timeout
        do {
            let fast = fastPath && kind == .query ? fastPlan(request, operation, bundle, document) : nil
            let listsInSQL = writesJSON && self.listsInSQL
            let answer = try await withDeadline(timeout) {
                if let fast { return await fast.run(context: context, listsInSQL: listsInSQL) }
                return FastAnswer(
                    result: try await execute(
                        schema: bundle.schema, documentAST: document, rootValue: (), context: context,
                        variableValues: request.variables, operationName: request.operationName))
            }
            guard var answer else {
                return GraphQLOutcome(result: GraphQLResult(errors: [Self.overTime(timeout)]))
            }
            answer.result.errors = mapping.map(answer.result.errors)
            return GraphQLOutcome(result: answer.result, prewritten: answer.prewritten)
        } catch let error as GraphQLError {
            return GraphQLOutcome(result: GraphQLResult(errors: [mapping.map(error)]))
        } catch {
            return GraphQLOutcome(result: GraphQLResult(errors: [mapping.map(GraphQLError(error))]))
        }
    }

    /// The `FastQuery` plan of a query. Without variables it is the document's alone: made once, kept with
    /// the document.
    private func fastPlan(
        _ request: GraphQLOperationRequest, _ operation: OperationDefinition?, _ bundle: GraphQLSchemaBundle,
        _ document: Document
    ) -> FastQuery? {
        let plan = {
            FastQuery.plan(
                bundle: bundle, document: document, operationName: request.operationName, variables: request.variables)
        }
        guard operation?.variableDefinitions.isEmpty == true else { return plan() }
        return bundle.documents.plan(for: request.query, operationName: request.operationName, make: plan)
    }

    /// The error of an operation that ran past its time budget; what it had read is not answered.
    static func overTime(_ timeout: Duration) -> GraphQLError {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        return GraphQLError(
            message: "The operation ran over its time budget of \(text) seconds.",
            extensions: ["code": .int(504), "data": .dictionary([:])])
    }

    /// Why a request was refused before it ran, and the HTTP status that goes with it.
    struct Refusal: Error {
        var errors: [GraphQLError]
        var status = 200
    }

    /// The schema and the parsed, validated document of `request`, within the limits; checked before anything
    /// runs (the WebSocket transport prepares each operation through here too).
    func prepare(_ request: GraphQLOperationRequest) -> Result<(GraphQLSchemaBundle, Document), Refusal> {
        if let error = OperationLimits.checkTextNesting(request.query, max: limits.maxTextNesting) {
            return .failure(Refusal(errors: [error]))
        }
        let bundle: GraphQLSchemaBundle
        do {
            bundle = try cache.current()
        } catch {
            return .failure(Refusal(errors: [GraphQLError(error)], status: 500))
        }
        let document: Document
        if let cached = bundle.documents.document(for: request.query) {
            document = cached
        } else {
            do {
                document = try parse(source: Source(body: request.query, name: "GraphQL request"))
            } catch let error as GraphQLError {
                return .failure(Refusal(errors: [error]))
            } catch {
                return .failure(Refusal(errors: [GraphQLError(message: "The query could not be parsed.")]))
            }
            let invalid = validate(schema: bundle.schema, ast: document)
            guard invalid.isEmpty else { return .failure(Refusal(errors: invalid)) }
            bundle.documents.insert(document, for: request.query)
        }
        let settings = settings()
        if !settings.introspection {
            let refused = validate(schema: bundle.schema, ast: document, rules: [NoSchemaIntrospectionCustomRule])
            guard refused.isEmpty else { return .failure(Refusal(errors: refused)) }
        }
        let overLimits = OperationLimits.check(
            document, variables: request.variables, limits: limits.with(settings), catalog: bundle.catalog)
        guard overLimits.isEmpty else { return .failure(Refusal(errors: overLimits)) }
        return .success((bundle, document))
    }

    /// The operation `name` selects, or the only one when no name is given.
    static func operation(in document: Document, named name: String?) -> OperationDefinition? {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        guard let name else { return operations.count == 1 ? operations[0] : nil }
        return operations.first { $0.name?.value == name }
    }
}

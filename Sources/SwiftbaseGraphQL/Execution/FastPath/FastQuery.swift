import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Answers plain record queries — root fields `posts(…)` and `posts_by_pk(id:)` and selections of record
/// fields, relations, geo points and `__typename`, with aliases, fragments and `@skip`/`@include` — without
/// the GraphQL package's executor, which completes every field and list item in a task of its own (a list of
/// 50 records with 6 fields is ~350 tasks, most of the request's cost). The same resolvers load the records
/// (`RecordQueries`, rules and `expand` as in REST); only completing them into the answer is done here, by one
/// synchronous walk with the package's semantics: scalars serialized by the schema's own types, null
/// propagating from a non-null field to its parent, errors located at their field.
///
/// Anything else (mutations, subscriptions, aggregates, introspection, other directives, values that do not
/// coerce) is left to the package: `plan` answers nil and nothing has run.
struct FastQuery {
    let bundle: GraphQLSchemaBundle
    let fragments: [String: FragmentDefinition]
    let variables: [String: Map]
    let roots: OrderedDictionary<String, [Field]>

    static let rootTypeName = "query_root"

    /// The plan for `document`'s operation when it is a plain record query, else nil.
    static func plan(
        bundle: GraphQLSchemaBundle, document: Document, operationName: String?, variables given: [String: Map]
    ) -> FastQuery? {
        guard let operation = GraphQLExecutor.operation(in: document, named: operationName),
            operation.operation == .query
        else { return nil }
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        do {
            var variables: [String: Map] = [:]
            for definition in operation.variableDefinitions {
                let name = definition.variable.name.value
                let type = try InputCoercion.type(definition.type, in: bundle.schema)
                if let value = given[name] {
                    variables[name] = try InputCoercion.variable(value, as: type)
                } else if let fallback = definition.defaultValue {
                    variables[name] = try InputCoercion(variables: [:]).literal(fallback, as: type)
                } else if type is GraphQLNonNull {
                    return nil
                }
            }
            let plan = FastQuery(
                bundle: bundle, fragments: fragments, variables: variables,
                roots: try SelectionCollector(fragments: fragments, variables: variables)
                    .collect([operation.selectionSet], on: rootTypeName))
            try plan.check()
            return plan
        } catch {
            return nil
        }
    }

    /// Throws when a root field or a nested selection is not one the fast path answers.
    private func check() throws {
        let collector = SelectionCollector(fragments: fragments, variables: variables)
        for (_, fields) in roots {
            let name = fields[0].name.value
            if name == "__typename" { continue }
            guard let (shape, _) = bundle.catalog.shape(queryRoot: name),
                name == shape.typeName || name == GraphQLNames.byPK(shape.typeName),
                let config = bundle.objectFields[Self.rootTypeName]?[name]
            else { throw InputCoercion.Uncoercible() }
            _ = try InputCoercion(variables: variables).arguments(fields[0].arguments, definitions: config.args)
            try checkSelections(of: fields, type: config.type, collector: collector, depth: 0)
        }
    }

    private func checkSelections(of fields: [Field], type: any GraphQLType, collector: SelectionCollector, depth: Int)
        throws
    {
        guard let object = Self.namedObject(type) else { return }
        guard depth < 32, bundle.catalog.shape(type: object.name) != nil || object.name == "GeoPoint",
            let known = bundle.objectFields[object.name]
        else { throw InputCoercion.Uncoercible() }
        for (_, nested) in try collector.collect(fields.compactMap(\.selectionSet), on: object.name) {
            let name = nested[0].name.value
            if name == "__typename" { continue }
            guard let config = known[name] else { throw InputCoercion.Uncoercible() }
            try checkSelections(of: nested, type: config.type, collector: collector, depth: depth + 1)
        }
    }

    // MARK: - Running

    /// - Parameter listsInSQL: whether list fields may be answered as JSON the database builds
    ///   (`databaseList`); their keys are then in `FastAnswer.prewritten`, `null` in the result's data.
    func run(context: GraphQLRequestContext, listsInSQL: Bool = false) async -> FastAnswer {
        var errors: [GraphQLError] = []
        var data = OrderedDictionary<String, Map>()
        var prewritten: [String: [UInt8]] = [:]
        let collector = SelectionCollector(fragments: fragments, variables: variables)
        do {
            for (key, fields) in roots {
                let name = fields[0].name.value
                if name == "__typename" {
                    data[key] = .string(Self.rootTypeName)
                    continue
                }
                guard let config = bundle.objectFields[Self.rootTypeName]?[name],
                    let (shape, action) = bundle.catalog.shape(queryRoot: name)
                else { continue }
                if listsInSQL, action == .list,
                    let json = await databaseList(fields, config: config, shape: shape, collector: collector, context: context)
                {
                    data[key] = .null
                    prewritten[key] = json
                    continue
                }
                let path = IndexPath([key])
                let resolved: Result<(any Sendable)?, any Error>
                do {
                    let args = try InputCoercion(variables: variables).arguments(fields[0].arguments, definitions: config.args)
                    let queries = RecordQueries(shape: shape, catalog: bundle.catalog)
                    let selection = FieldSelection(
                        fieldASTs: fields, fragments: fragments, variables: variables, schema: bundle.schema)
                    resolved = .success(
                        action == .view
                            ? try await queries.byPK(args, context: context, selection: selection)
                            : try await queries.list(args, context: context, selection: selection))
                } catch {
                    resolved = .failure(error)
                }
                // Without paths first; again with them only when something failed.
                var quick = Completion(bundle: bundle, collector: collector, tracksPaths: false)
                if let value = try? quick.catching(
                    resolved, type: config.type, fields: fields, path: path, plan: key, parent: Self.rootTypeName,
                    field: name), quick.errors.isEmpty
                {
                    data[key] = value
                    continue
                }
                var completion = Completion(bundle: bundle, collector: collector, tracksPaths: true)
                data[key] = try completion.catching(
                    resolved, type: config.type, fields: fields, path: path, plan: key, parent: Self.rootTypeName,
                    field: name)
                errors += completion.errors
            }
        } catch let error as GraphQLError {
            return FastAnswer(result: GraphQLResult(errors: errors + [error]))
        } catch {
            return FastAnswer(result: GraphQLResult(errors: errors + [GraphQLError(error)]))
        }
        return FastAnswer(result: GraphQLResult(data: .dictionary(data), errors: errors), prewritten: prewritten)
    }

    /// A list field's answer as JSON the database built in one statement (`RecordService.listJSON`), or nil
    /// when its selection, arguments or data need the usual path — which then answers it, errors included.
    private func databaseList(
        _ fields: [Field], config: GraphQLField, shape: CollectionShape, collector: SelectionCollector,
        context: GraphQLRequestContext
    ) async -> [UInt8]? {
        do {
            let args = try InputCoercion(variables: variables).arguments(fields[0].arguments, definitions: config.args)
            let options = try RecordQueries(shape: shape, catalog: bundle.catalog).listOptions(args, context: context)
            guard options.perPage > 0 else { return nil }
            let projection = try ListProjectionPlanner(
                catalog: bundle.catalog, collector: collector, schema: bundle.schema, maxPageSize: context.maxPageSize
            ).projection(of: fields, on: shape)
            let request = try context.request(for: .list, on: shape.collection)
            return try await context.records.listJSON(
                in: shape.collection.name, options: options, request: request, projection: projection)
        } catch {
            return nil
        }
    }

    static func namedObject(_ type: any GraphQLType) -> GraphQLObjectType? {
        switch type {
        case let nonNull as GraphQLNonNull: namedObject(nonNull.ofType)
        case let list as GraphQLList: namedObject(list.ofType)
        case let object as GraphQLObjectType: object
        default: nil
        }
    }
}

/// What `FastQuery` answers: the result, and the JSON of the root fields the database wrote (their values
/// in the result are placeholders).
struct FastAnswer: Sendable {
    var result: GraphQLResult
    var prewritten: [String: [UInt8]] = [:]
}

/// Gathers a selection set's fields by response key (alias or name), through fragments whose type condition
/// is the object's type, leaving out what `@skip`/`@include` leave out; any other directive or type
/// condition throws (the fast path does not take it).
struct SelectionCollector {
    let fragments: [String: FragmentDefinition]
    let variables: [String: Map]

    func collect(_ selectionSets: [SelectionSet], on typeName: String) throws -> OrderedDictionary<String, [Field]> {
        var out = OrderedDictionary<String, [Field]>()
        var visited: Set<String> = []
        for selectionSet in selectionSets { try collect(selectionSet, on: typeName, into: &out, visited: &visited) }
        return out
    }

    private func collect(
        _ selectionSet: SelectionSet, on typeName: String, into out: inout OrderedDictionary<String, [Field]>,
        visited: inout Set<String>
    ) throws {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard try included(field.directives) else { continue }
                out[field.alias?.value ?? field.name.value, default: []].append(field)
            case let spread as FragmentSpread:
                guard try included(spread.directives) else { continue }
                let name = spread.name.value
                guard !visited.contains(name) else { continue }
                visited.insert(name)
                guard let fragment = fragments[name], fragment.typeCondition.name.value == typeName,
                    fragment.directives.isEmpty
                else { throw InputCoercion.Uncoercible() }
                try collect(fragment.selectionSet, on: typeName, into: &out, visited: &visited)
            case let inline as InlineFragment:
                guard try included(inline.directives) else { continue }
                if let condition = inline.typeCondition, condition.name.value != typeName {
                    throw InputCoercion.Uncoercible()
                }
                try collect(inline.selectionSet, on: typeName, into: &out, visited: &visited)
            default:
                throw InputCoercion.Uncoercible()
            }
        }
    }

    /// `@skip(if:)` and `@include(if:)`; any other directive is not taken.
    private func included(_ directives: [Directive]) throws -> Bool {
        var keep = true
        for directive in directives {
            guard let argument = directive.arguments.first(where: { $0.name.value == "if" }) else {
                throw InputCoercion.Uncoercible()
            }
            let flag: Bool
            switch argument.value {
            case let literal as BooleanValue: flag = literal.value
            case let variable as Variable:
                guard let value = variables[variable.name.value]?.bool else { throw InputCoercion.Uncoercible() }
                flag = value
            default: throw InputCoercion.Uncoercible()
            }
            switch directive.name.value {
            case "skip": if flag { keep = false }
            case "include": if !flag { keep = false }
            default: throw InputCoercion.Uncoercible()
            }
        }
        return keep
    }
}

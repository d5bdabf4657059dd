import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Bounds on what one GraphQL request may ask, checked before anything runs: a request over them is answered
/// with one clear error and reads nothing.
public struct GraphQLLimits: Sendable, Equatable {
    /// Deepest nesting of selection sets, the root field being 1 (`posts { author { name } }` is 3).
    /// Introspection (`__schema`, `__type`) is not counted. 8 lets a query follow relations 6 deep, as `expand`.
    public var maxDepth: Int
    /// The most records one list field answers; `limit` above it is refused. REST's `perPage` cap.
    public var maxPageSize: Int
    /// Deepest nesting of brackets in the query text, checked before parsing so that no input can exhaust
    /// the parser's stack.
    public var maxTextNesting: Int
    /// Most fields in one selection set, fragments spread in (`graphql.maxBreadth`).
    public var maxBreadth: Int
    /// Most records one operation may answer in the worst case its limits allow (`graphql.maxCost`; see
    /// `OperationCost`).
    public var maxCost: Int
    /// How long one operation may run (`graphql.timeout`).
    public var timeout: Duration

    public init(
        maxDepth: Int = 8, maxPageSize: Int = 1000, maxTextNesting: Int = 64, maxBreadth: Int = 200,
        maxCost: Int = 5_000_000, timeout: Duration = .seconds(10)
    ) {
        self.maxDepth = maxDepth
        self.maxPageSize = maxPageSize
        self.maxTextNesting = maxTextNesting
        self.maxBreadth = maxBreadth
        self.maxCost = maxCost
        self.timeout = timeout
    }

    /// These limits with the bounds the settings hold.
    func with(_ settings: GraphQLSettings) -> GraphQLLimits {
        var limits = self
        limits.maxDepth = settings.maxDepth
        limits.maxBreadth = settings.maxBreadth
        limits.maxCost = settings.maxCost
        limits.timeout = .milliseconds(Int64(settings.timeout * 1000))
        return limits
    }
}

/// The checks of `GraphQLLimits`.
enum OperationLimits {
    /// The deepest bracket nesting of `text` (`{`, `[`, `(`), skipping strings and comments; nil when it is
    /// within `max`, else the error to answer. Linear, no recursion.
    static func checkTextNesting(_ text: String, max: Int) -> GraphQLError? {
        var depth = 0
        var bytes = text.utf8.makeIterator()
        var inString = false
        var inComment = false
        var escaped = false
        while let byte = bytes.next() {
            if inComment {
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { inComment = false }
                continue
            }
            if inString {
                // Block strings ("""…""") read as a run of empty strings and a string: their content may
                // hold brackets counted as nesting, which only makes this check stricter, never looser.
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "#"): inComment = true
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                if depth > max { return error("The query nests deeper than \(max) brackets.") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth -= 1
            default:
                break
            }
        }
        return nil
    }

    /// The selection depth, breadth, page size and (with the catalog) cost checks over every operation of a
    /// parsed, valid document.
    static func check(
        _ document: Document, variables: [String: Map], limits: GraphQLLimits, catalog: GraphQLCatalog? = nil
    ) -> [GraphQLError] {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        var errors: [GraphQLError] = []
        for case let operation as OperationDefinition in document.definitions {
            var walker = Walker(fragments: fragments, variables: variables, limits: limits)
            walker.walk(operation.selectionSet, depth: 1, visiting: [])
            if walker.deepest > limits.maxDepth {
                errors.append(
                    error("The query is nested \(walker.deepest) levels deep; at most \(limits.maxDepth) are allowed."))
            }
            if walker.widest > limits.maxBreadth {
                errors.append(
                    error("A selection set asks for \(walker.widest) fields; at most \(limits.maxBreadth) are allowed."))
            }
            if let limit = walker.largestLimit, limit > limits.maxPageSize {
                errors.append(error(pageTooLarge(limit, max: limits.maxPageSize).message))
            }
            if errors.isEmpty, let catalog {
                let cost = OperationCost(
                    catalog: catalog, fragments: fragments, variables: variables, maxPageSize: limits.maxPageSize
                ).records(operation)
                if cost > limits.maxCost {
                    errors.append(
                        error(
                            "The query may answer up to \(cost) records; at most \(limits.maxCost) are allowed. "
                                + "Lower its limits or select fewer relations."))
                }
            }
        }
        return errors
    }

    static func pageTooLarge(_ limit: Int, max: Int) -> SwiftbaseError {
        SwiftbaseError(.badRequest, "The limit \(limit) is over the page size limit of \(max).")
    }

    static func error(_ message: String) -> GraphQLError {
        GraphQLError(message: message, extensions: ["code": .int(400), "data": .dictionary([:])])
    }

    /// Walks selection sets through fragments (each fragment once per path: a cycle cannot loop).
    private struct Walker {
        let fragments: [String: FragmentDefinition]
        let variables: [String: Map]
        let limits: GraphQLLimits
        var deepest = 0
        var widest = 0
        var largestLimit: Int?

        mutating func walk(_ selectionSet: SelectionSet, depth: Int, visiting: Set<String>) {
            // Past the limits the answer is known: stop walking.
            guard deepest <= limits.maxDepth, widest <= limits.maxBreadth else { return }
            widest = Swift.max(widest, width(of: selectionSet, visiting: visiting))
            for selection in selectionSet.selections {
                switch selection {
                case let field as Field:
                    if field.name.value.hasPrefix("__") { continue }
                    deepest = Swift.max(deepest, depth)
                    for argument in field.arguments where argument.name.value == "limit" {
                        if let limit = integer(argument.value) {
                            largestLimit = Swift.max(largestLimit ?? limit, limit)
                        }
                    }
                    if let nested = field.selectionSet { walk(nested, depth: depth + 1, visiting: visiting) }
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                    walk(fragment.selectionSet, depth: depth, visiting: visiting.union([name]))
                case let inline as InlineFragment:
                    walk(inline.selectionSet, depth: depth, visiting: visiting)
                default:
                    continue
                }
            }
        }

        /// The fields of one selection set, fragments spread in (each once per path), introspection aside.
        func width(of selectionSet: SelectionSet, visiting: Set<String>) -> Int {
            var count = 0
            for selection in selectionSet.selections {
                switch selection {
                case let field as Field:
                    if !field.name.value.hasPrefix("__") { count += 1 }
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                    count += width(of: fragment.selectionSet, visiting: visiting.union([name]))
                case let inline as InlineFragment:
                    count += width(of: inline.selectionSet, visiting: visiting)
                default:
                    continue
                }
                if count > limits.maxBreadth { return count }
            }
            return count
        }

        func integer(_ value: any Value) -> Int? {
            switch value {
            case let literal as IntValue: Int(literal.value)
            case let variable as Variable: variables[variable.name.value]?.int
            default: nil
            }
        }
    }
}

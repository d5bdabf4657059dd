import Foundation
import GraphQL
import SwiftbaseCore

/// A live query: a subscription to a query root field (`subscription { posts(where: …, limit: 10) { … } }`)
/// that answers the query's result at once and again whenever a committed change could alter it — a change
/// of a collection it reads (`scope`) — and only when the result did change.
///
/// Changes arriving while the query runs are folded into one more run (the wake-up stream keeps one
/// pending signal), so a burst of writes costs a subscriber a few runs, not one per write.
final class LiveQuery: Sendable {
    /// Collection ids whose changes re-run the query; nil: a change anywhere (its rule reads other
    /// collections).
    let scope: Set<String>?
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(scope: Set<String>?) {
        self.scope = scope
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether a transaction that touched `collections` could alter the result.
    func concerns(_ collections: Set<String>) -> Bool {
        guard let scope else { return true }
        return !scope.isDisjoint(with: collections)
    }

    /// Marks the result stale; the runner re-runs it once for any number of marks made meanwhile.
    func changed() { wake.yield() }

    /// Ends the runner.
    func stop() { wake.finish() }

    /// Re-runs `execute` after each change and sends its result when it differs from the last one sent
    /// (`first`), until stopped.
    func run(first: JSONValue, execute: @Sendable () async -> JSONValue, send: @Sendable (JSONValue) -> Void) async {
        var last = first
        for await _ in wakes {
            let next = await execute()
            guard next != last else { continue }
            last = next
            send(next)
        }
    }
}

extension LiveQuery {
    /// The collections a live query on `field` reads: its root collection and every collection its
    /// selection reaches through relations and back-relations; nil (any change) when the root collection's
    /// rule for the field follows a relation or reads `@collection`, so a change elsewhere can alter it.
    static func scope(of field: Field, catalog: GraphQLCatalog, fragments: [String: FragmentDefinition]) -> Set<String>? {
        guard let (shape, action) = catalog.shape(queryRoot: field.name.value) else { return [] }
        let rule = action == .view ? shape.collection.viewRule : shape.collection.listRule
        if let rule, Self.readsOtherRecords(rule) { return nil }
        var reached: Set<String> = [shape.collection.id]
        SelectionPlanner(catalog: catalog, fragments: fragments).collections(in: [field], on: shape, into: &reached)
        return reached
    }

    /// Whether a rule may read records other than the one it judges: `@collection.…`, or a field path
    /// through a relation (`author.verified`); `@request.…` paths read only the request.
    static func readsOtherRecords(_ rule: String) -> Bool {
        if rule.contains("@collection") { return true }
        var text = rule
        for prefix in ["@request.auth.", "@request.body.", "@request.query.", "@request.headers.", "@request."] {
            text = text.replacingOccurrences(of: prefix, with: "")
        }
        // What is left with a dot outside string literals is a relation path (numbers aside).
        var quote: Character?
        var previous: Character = " "
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ".", !previous.isNumber {
                return true
            }
            previous = character
        }
        return false
    }
}

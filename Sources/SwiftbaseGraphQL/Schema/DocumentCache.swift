import GraphQL
import Synchronization

/// Documents already parsed and validated against one schema, by their text: apps send the same few queries
/// over and over, and parsing plus the specification's validation rules cost more than many a resolver. Lives
/// in the schema bundle, so a schema change starts empty; only valid documents are kept.
///
/// Bounded twice: queries longer than `maxQueryLength` are not kept, and when `capacity` is reached the cache
/// starts over (a hostile client sending ever-new queries costs itself parsing, never memory).
final class DocumentCache: Sendable {
    /// A parsed document; its nodes are never mutated after parsing.
    final class Entry: @unchecked Sendable {
        let document: Document
        init(_ document: Document) { self.document = document }
    }

    let capacity: Int
    let maxQueryLength: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 512, maxQueryLength: Int = 8192) {
        self.capacity = capacity
        self.maxQueryLength = maxQueryLength
    }

    func document(for query: String) -> Document? {
        entries.withLock { $0[query] }?.document
    }

    func insert(_ document: Document, for query: String) {
        guard query.utf8.count <= maxQueryLength else { return }
        let entry = Entry(document)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[query] = entry
        }
    }

    var count: Int { entries.withLock { $0.count } }
}

import GraphQL
import Testing

@testable import SwiftbaseGraphQL

@Suite struct DocumentCacheTests {
    @Test func keepsDocumentsByTextWithinItsBounds() throws {
        let cache = DocumentCache(capacity: 2, maxQueryLength: 20)
        let query = "{ a }"
        cache.insert(try parse(source: query), for: query)
        #expect(cache.document(for: query) != nil)
        #expect(cache.document(for: "{ b }") == nil)

        let long = "{ " + String(repeating: "a ", count: 20) + "}"
        cache.insert(try parse(source: long), for: long)
        #expect(cache.document(for: long) == nil)  // too long to keep

        cache.insert(try parse(source: "{ b }"), for: "{ b }")
        #expect(cache.count == 2)
        cache.insert(try parse(source: "{ c }"), for: "{ c }")  // full: starts over
        #expect(cache.count == 1)
        #expect(cache.document(for: "{ c }") != nil)
    }
}

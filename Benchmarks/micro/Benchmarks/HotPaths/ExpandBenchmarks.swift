import Benchmark
import SwiftbaseCore

/// `?expand=author` on the list scenario's page, against a seeded SQLite store.
func expandBenchmarks() {
    /// `RecordExpander.parse("author")` and `.expand` of 50 posts' single `author` relation: one batched
    /// query for the distinct authors (viewRule `""`), each encoded for the guest and attached.
    Benchmark("Expand author on 50 posts (SQLite)") {
        (benchmark: Benchmark, fixture: (BenchDatabase, CollectionModel, [RecordModel])) in
        let (db, posts, page) = fixture
        let expander = RecordExpander(store: db.store, schema: db.schema, request: db.guestRequest)
        benchmark.startMeasurement()
        blackHole(try await expander.expand(page, of: posts, tree: RecordExpander.parse("author")))
    } setup: {
        let db = try await BenchDatabase.open(posts: BenchDatabase.seededPosts)
        return (db, db.posts, try await db.listPage())
    } teardown: {
        BenchDatabase.removeAll()
    }
}

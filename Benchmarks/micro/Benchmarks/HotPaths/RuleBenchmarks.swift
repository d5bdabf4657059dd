import Benchmark
import SwiftbaseCore

/// A collection rule for a signed-in user (`Texts.signedInRule`), compiled alone and evaluated end to end
/// against a seeded SQLite store.
func ruleBenchmarks() {
    /// `RuleCompiler.condition`: parse and compile the rule for the user (what every non-superuser
    /// list/view/update pays).
    Benchmark("Rule compile: signed-in user") { (benchmark: Benchmark, db: BenchDatabase) in
        let posts = db.posts
        let schema = db.schema
        let request = db.userRequest
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(
                try RuleCompiler.condition(Texts.signedInRule, collection: posts, schema: schema, request: request))
        }
    } setup: {
        try await BenchDatabase.open(posts: 0)
    } teardown: {
        BenchDatabase.removeAll()
    }

    /// `RecordService.matches`: compile the rule and run its `SELECT 1 … WHERE id = ? AND (rule) LIMIT 1`
    /// for a stored published post (true), as update/delete rules and `manageRule` are decided.
    Benchmark("Rule check: RecordService.matches (SQLite)") {
        (benchmark: Benchmark, fixture: (BenchDatabase, RecordModel)) in
        let (db, post) = fixture
        let posts = db.posts
        let request = db.userRequest
        benchmark.startMeasurement()
        let allowed = try await db.records.matches(
            Texts.signedInRule, record: post, collection: posts, request: request)
        benchmark.stopMeasurement()
        guard allowed else { fatalError("the rule should allow a published post") }
        blackHole(allowed)
    } setup: {
        let db = try await BenchDatabase.open(posts: BenchDatabase.seededPosts)
        let post = try await db.records.view(in: "posts", id: try await db.publishedPostID(), request: db.userRequest)
        return (db, post)
    } teardown: {
        BenchDatabase.removeAll()
    }

    /// `RecordService.view` of one post by id with the posts `viewRule` (`Texts.signedInRule`) for the
    /// user: rule compile, query and row decoding, without HTTP or JSON.
    Benchmark("Record view with viewRule (SQLite)") { (benchmark: Benchmark, fixture: (BenchDatabase, String)) in
        let (db, id) = fixture
        let request = db.userRequest
        benchmark.startMeasurement()
        blackHole(try await db.records.view(in: "posts", id: id, request: request))
    } setup: {
        let db = try await BenchDatabase.open(posts: BenchDatabase.seededPosts)
        return (db, try await db.publishedPostID())
    } teardown: {
        BenchDatabase.removeAll()
    }
}

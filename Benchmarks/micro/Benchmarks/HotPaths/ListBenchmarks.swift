import Benchmark
import SwiftbaseCore

/// The list scenario of the HTTP benchmark below HTTP: the service call behind `GET …/posts/records`.
func listBenchmarks() {
    /// `RecordService.list` of the list scenario (`Texts.listFilter`, `sort=-views`, 50 per page,
    /// with the total count as the HTTP scenario asks) for a guest: filter, sort and rule compile, the
    /// indexed page query, the COUNT query and row decoding.
    Benchmark("List page of 50 posts (SQLite)") { (benchmark: Benchmark, db: BenchDatabase) in
        let request = db.guestRequest
        let options = RecordListOptions(perPage: 50, sort: "-views", filter: Texts.listFilter)
        benchmark.startMeasurement()
        blackHole(try await db.records.list(in: "posts", options: options, request: request))
    } setup: {
        try await BenchDatabase.open(posts: BenchDatabase.seededPosts)
    } teardown: {
        BenchDatabase.removeAll()
    }
}

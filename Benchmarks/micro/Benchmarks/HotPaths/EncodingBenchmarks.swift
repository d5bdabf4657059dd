import Benchmark
import SwiftbaseCore

/// Record JSON as the HTTP layer answers it: `RecordEncoder.json` for the requester (a guest), then
/// `JSONWriter.write` into a byte array reserved at 1 KiB, as `JSONResponse.make` does. The records are the
/// list scenario's page (`Texts.listFilter`, `sort=-views`, 50 posts) read from a seeded store in setup.
func encodingBenchmarks() {
    /// One post (view / create / update responses): encode and write, 1,000 per iteration.
    Benchmark("Encode 1 record: JSON bytes", configuration: .init(scalingFactor: .kilo)) {
        (benchmark: Benchmark, fixture: (CollectionModel, [RecordModel])) in
        let (posts, page) = fixture
        let record = page[0]
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(bytes(of: RecordEncoder.json(record, collection: posts, auth: .guest)))
        }
    } setup: {
        try await listPageFixture()
    } teardown: {
        BenchDatabase.removeAll()
    }

    /// `RecordEncoder.json` for the 50 records of a page, without writing bytes.
    Benchmark("Encode 50 records: RecordEncoder.json") {
        (benchmark: Benchmark, fixture: (CollectionModel, [RecordModel])) in
        let (posts, page) = fixture
        benchmark.startMeasurement()
        blackHole(page.map { RecordEncoder.json($0, collection: posts, auth: .guest) })
    } setup: {
        try await listPageFixture()
    } teardown: {
        BenchDatabase.removeAll()
    }

    /// `JSONWriter.write` of an already encoded list envelope with 50 items.
    Benchmark("Encode 50 records: JSONWriter bytes") { (benchmark: Benchmark, envelope: JSONValue) in
        blackHole(bytes(of: envelope))
    } setup: {
        let (posts, page) = try await listPageFixture()
        return listEnvelope(page.map { RecordEncoder.json($0, collection: posts, auth: .guest) })
    } teardown: {
        BenchDatabase.removeAll()
    }

    /// The whole list response body: encode 50 records, wrap them in the list envelope, write bytes.
    Benchmark("Encode 50 records: list response bytes") {
        (benchmark: Benchmark, fixture: (CollectionModel, [RecordModel])) in
        let (posts, page) = fixture
        benchmark.startMeasurement()
        blackHole(bytes(of: listEnvelope(page.map { RecordEncoder.json($0, collection: posts, auth: .guest) })))
    } setup: {
        try await listPageFixture()
    } teardown: {
        BenchDatabase.removeAll()
    }
}

/// The posts collection and the list scenario's 50 records, from a store seeded with 500 posts.
private func listPageFixture() async throws -> (CollectionModel, [RecordModel]) {
    let db = try await BenchDatabase.open(posts: 500)
    return (db.posts, try await db.listPage())
}

/// The list envelope of `JSONResponse.list` (page 1 of a `skipTotal` list).
private func listEnvelope(_ items: [JSONValue]) -> JSONValue {
    ["page": 1, "perPage": 50, "totalItems": -1, "totalPages": -1, "items": .array(items)]
}

/// The response body bytes, as `JSONResponse.make` writes them.
private func bytes(of value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(1024)
    JSONWriter.write(value, into: &out)
    return out
}

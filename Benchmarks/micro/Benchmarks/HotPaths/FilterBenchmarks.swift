import Benchmark
import SwiftbaseCore

/// Client `filter` and `sort` handling, as `RecordService.list` does it for each list request. Pure CPU: the
/// schema comes from a real (empty) data directory made in setup. Operations under ~20 µs run 1,000 times
/// per iteration (`scalingFactor: .kilo`; figures marked `*` are per operation).
func filterBenchmarks() {
    let perOperation = Benchmark.Configuration(scalingFactor: .kilo)
    let cases: [(label: String, text: String, compileScaling: BenchmarkScalingFactor)] = [
        ("list", Texts.listFilter, .kilo), ("rich", Texts.richFilter, .one),
    ]

    for (label, text, compileScaling) in cases {
        /// `FilterParser.parse`: lexing and parsing the filter text into a `FilterExpression`.
        Benchmark("Filter parse: \(label)", configuration: perOperation) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try FilterParser.parse(text))
            }
        }

        /// Parse, then `FilterCompiler.compile` to a bound SQL condition with a fresh resolver, as a
        /// superuser's list request (hidden fields and `@request.*` allowed; the rich filter needs that).
        Benchmark("Filter parse+compile: \(label)", configuration: .init(scalingFactor: compileScaling)) {
            (benchmark: Benchmark, db: BenchDatabase) in
            let resolver = RecordFieldResolver(
                schema: db.schema, collection: db.posts, request: db.userRequest, allowHiddenFields: true,
                allowRequestAndCollectionReferences: true)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                var r = resolver
                guard let expression = try FilterParser.parse(text) else { fatalError("empty filter") }
                blackHole(try FilterCompiler.compile(expression, resolver: &r))
            }
        } setup: {
            try await BenchDatabase.open(posts: 0)
        } teardown: {
            BenchDatabase.removeAll()
        }
    }

    /// `SortCompiler.compile("-views,title")` to ORDER BY terms, with a guest's resolver.
    Benchmark("Sort compile: -views,title", configuration: perOperation) { (benchmark: Benchmark, db: BenchDatabase) in
        let resolver = RecordFieldResolver(
            schema: db.schema, collection: db.posts, request: db.guestRequest, allowHiddenFields: false,
            allowRequestAndCollectionReferences: false)
        for _ in benchmark.scaledIterations {
            var r = resolver
            blackHole(try SortCompiler.compile(Texts.sort, resolver: &r))
        }
    } setup: {
        try await BenchDatabase.open(posts: 0)
    } teardown: {
        BenchDatabase.removeAll()
    }
}

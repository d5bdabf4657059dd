import Benchmark

/// Micro-benchmarks of Swiftbase's request hot paths, below the HTTP layer: filter parsing and compiling,
/// rule evaluation, record JSON encoding, `expand` and the list query. Run with `Benchmarks/micro/run`.
///
/// Metrics: wall clock, throughput, mallocs (through the malloc interposer) and peak RSS. No hardware
/// counters (`.instructions` is unsupported on this machine), and no `.cpuTotal`: on Linux it comes in
/// 10 ms ticks, longer than any iteration here. Each benchmark runs for about a second at most.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        maxDuration: .seconds(1),
        maxIterations: 100_000)

    baselineBenchmarks()
    filterBenchmarks()
    ruleBenchmarks()
    encodingBenchmarks()
    expandBenchmarks()
    listBenchmarks()
}

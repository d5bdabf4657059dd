import Benchmark

/// What the framework itself costs per iteration (on this machine about 16 mallocs and a few hundred ns,
/// from the malloc interposer and the measurement), to subtract from the unscaled benchmarks; the
/// `scalingFactor: .kilo` ones spread it over 1,000 operations.
func baselineBenchmarks() {
    /// An iteration that does nothing.
    Benchmark("Baseline: empty iteration") { _ in
        blackHole(0)
    }
}

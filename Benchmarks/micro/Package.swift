// swift-tools-version:6.1
// Micro-benchmarks of Swiftbase's hot paths (ordo-one/benchmark). A package of its own so that the main
// package and its CI never build the benchmark dependency. Run: `Benchmarks/micro/run`.
import PackageDescription

let package = Package(
    name: "swiftbase-micro-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swiftbase", path: "../.."),
        // jemalloc is not available here: the malloc interposer gives the malloc metrics instead.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Swiftbase", package: "swiftbase"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HotPaths",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "swiftbase",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Swiftbase", targets: ["Swiftbase"]),
        .library(name: "SwiftbaseTesting", targets: ["SwiftbaseTesting"]),
        .executable(name: "swiftbase", targets: ["swiftbase"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", .upToNextMinor(from: "0.4.2")),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        // GraphQL's `Map` holds `OrderedDictionary`; named here so SwiftbaseGraphQL may import it.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "SwiftbaseCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwiftbaseSQLite",
            dependencies: [
                "SwiftbaseCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Glue over libpng and libjpeg(-turbo) (Debian's libpng-dev, libjpeg62-turbo-dev) for thumbnails.
        .target(
            name: "CImageCodec",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),
        // The admin dashboard's files (Dashboard/) as bytes the linker carries: an assembly file written by
        // scripts/pack-dashboard .incbin's each of them, so the binary stays one file and no Swift literal is compiled.
        .target(
            name: "CDashboardAssets",
            // The .incbin paths are relative to the target folder, given here as an include path.
            cSettings: [.headerSearchPath(".")]
        ),
        .target(
            name: "SwiftbaseServices",
            dependencies: [
                "SwiftbaseCore",
                "CImageCodec",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // SigV4 signing of S3 requests (HMAC-SHA256).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Functions: Extism plug-ins run in-process on WasmKit. A security boundary with a heavy dependency, so a
        // module of its own; the core's `FunctionEngine` seam is all it implements: no SQL, no HTTP server.
        .target(
            name: "SwiftbaseFunctions",
            dependencies: [
                "SwiftbaseCore",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwiftbaseHTTP",
            dependencies: [
                "SwiftbaseCore",
                "CDashboardAssets",
                "SwiftbaseServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // GraphQL: a transport over the core, generated from the collections; mounts on the HTTP server.
        .target(
            name: "SwiftbaseGraphQL",
            dependencies: [
                "SwiftbaseCore",
                "SwiftbaseHTTP",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // MQTT: a pure codec and broker engine, served on SwiftNIO (TCP) and on the HTTP server's WebSocket
        // upgrade (/api/mqtt); identities through the core's resolver.
        .target(
            name: "SwiftbaseMQTT",
            dependencies: [
                "SwiftbaseCore",
                "SwiftbaseHTTP",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Swiftbase",
            dependencies: [
                "SwiftbaseCore",
                "SwiftbaseFunctions",
                "SwiftbaseSQLite",
                "SwiftbaseServices",
                "SwiftbaseHTTP",
                "SwiftbaseGraphQL",
                "SwiftbaseMQTT",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What an app's tests (and ours) use: a temp-dir app answered in-process, a JSON client, a seeded RNG.
        .target(
            name: "SwiftbaseTesting",
            dependencies: [
                "Swiftbase",
                "SwiftbaseCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swiftbase",
            dependencies: [
                "Swiftbase",
                "SwiftbaseCore",
                "SwiftbaseServices",
                "SwiftbaseFunctions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseCoreTests",
            // SQLite's dialect: the compiler tests read the SQL the default store gets.
            dependencies: ["SwiftbaseCore", "SwiftbaseSQLite", "SwiftbaseTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseServicesTests",
            dependencies: [
                "SwiftbaseServices", "SwiftbaseCore",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseFunctionsTests",
            dependencies: [
                "SwiftbaseFunctions",
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseSQLiteTests",
            dependencies: ["SwiftbaseSQLite", "SwiftbaseCore", "SwiftbaseServices", "SwiftbaseTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseGraphQLTests",
            dependencies: [
                "SwiftbaseGraphQL",
                "SwiftbaseSQLite",
                "Swiftbase",
                "SwiftbaseCore",
                "SwiftbaseTesting",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseMQTTTests",
            dependencies: [
                "SwiftbaseMQTT",
                "SwiftbaseCore",
                "SwiftbaseTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwiftbaseHTTPTests",
            dependencies: [
                "Swiftbase",
                "SwiftbaseHTTP",
                "SwiftbaseCore",
                "SwiftbaseTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.2
import PackageDescription

// An app built on Swiftbase as a framework: its own collections (a migration), hooks, a route and a service,
// in one executable. It depends on the Swiftbase package at the repository root by path; an app of your own
// would depend on it by URL instead.
let package = Package(
    name: "bookmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swiftbase", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "BookmarksApp",
            dependencies: [
                .product(name: "Swiftbase", package: "swiftbase"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bookmarks",
            dependencies: ["BookmarksApp", .product(name: "Swiftbase", package: "swiftbase")]
        ),
        .testTarget(
            name: "BookmarksAppTests",
            dependencies: [
                "BookmarksApp",
                .product(name: "Swiftbase", package: "swiftbase"),
                .product(name: "SwiftbaseTesting", package: "swiftbase"),
            ]
        ),
    ]
)

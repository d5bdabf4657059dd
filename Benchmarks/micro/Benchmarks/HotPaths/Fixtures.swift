import Foundation
import Synchronization
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices

/// Filter, sort and rule texts shared by the benchmarks.
enum Texts {
    /// The `filter` of the list scenario in `Benchmarks/compare/http_scenarios.py` (its `N` fixed).
    static let listFilter = "(views>50000 && published=true)"
    /// A larger realistic filter: `&&`/`||` groups, a like (`~`), a relation path (one join), datetime
    /// macros and `@request.auth.id` (so it compiles as a superuser's filter).
    static let richFilter =
        #"(views > 1000 && published = true || title ~ "lorem" && views < 10) && author.name ~ "author 1""#
        + #" && created >= @yesterday && updated <= @now && @request.auth.id != """#
    /// The `sort` of the list scenario plus a tie-breaker.
    static let sort = "-views,title"
    /// The posts `viewRule` here: signed-in users see their own posts and every published one. (`author`
    /// points at `authors`, not `users`, so for a user only the `published` branch can match.)
    static let signedInRule = #"@request.auth.id != "" && (author = @request.auth.id || published = true)"#
}

/// A Swiftbase data directory in a temporary directory, wired as `SwiftbaseApp.open` wires it (SQLite store,
/// schema registry, `CollectionService.bootstrap`, `RecordService` with bcrypt), holding the HTTP
/// benchmark's collections: 100 `authors` (`name`) and `posts` (`title` of ~56 characters, `views`,
/// `published`, `author` → authors, `created`/`updated` autodates, an index on `views`), plus one user.
///
/// Collections and records go through `CollectionService.create` and `RecordService` (never hand-written
/// DDL or SQL), so tables, indexes and stored values are what the server has.
final class BenchDatabase: Sendable {
    /// How many posts the SQLite-backed benchmarks seed: a few thousand, like a small production table.
    static let seededPosts = 3_000

    let directory: URL
    let store: SQLiteStore
    let registry: SchemaRegistry
    let records: RecordService
    /// The signed-in user of `userRequest`, as `RecordService.create` answered it.
    let user: RecordModel

    private init(
        directory: URL, store: SQLiteStore, registry: SchemaRegistry, records: RecordService, user: RecordModel
    ) {
        self.directory = directory
        self.store = store
        self.registry = registry
        self.records = records
        self.user = user
    }

    var schema: SchemaSnapshot { registry.snapshot }
    var posts: CollectionModel { registry.snapshot.collection("posts")! }
    /// A request by the signed-in user (a `users` record), as the auth middleware builds it.
    var userRequest: RequestInfo { RequestInfo(auth: AuthContext(.record(user))) }
    /// A guest's request (the HTTP benchmark's reads are anonymous).
    var guestRequest: RequestInfo { RequestInfo() }

    /// Opens a fresh data directory and seeds `posts` posts (0 for just the schema).
    static func open(posts count: Int) async throws -> BenchDatabase {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftbase-micro-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        opened.withLock { $0.append(directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("data.db").path)
        let registry = SchemaRegistry()
        let collections = CollectionService(store: store, registry: registry)
        try await collections.bootstrap()
        let authorsJSON = #"""
            {"name": "authors", "type": "base", "listRule": "", "viewRule": "",
             "fields": [{"name": "name", "type": "text"}]}
            """#
        let authors = try await collections.create(try JSONValue.parse(authorsJSON))
        let postsJSON = """
            {"name": "posts", "type": "base", "listRule": "", "createRule": "", "updateRule": "",
             "viewRule": \(JSONValue.string(Texts.signedInRule).jsonString),
             "fields": [{"name": "title", "type": "text", "required": true}, {"name": "views", "type": "number"},
                        {"name": "published", "type": "bool"},
                        {"name": "author", "type": "relation", "collectionId": "\(authors.id)", "maxSelect": 1},
                        {"name": "created", "type": "autodate", "onCreate": true, "onUpdate": false},
                        {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}],
             "indexes": ["CREATE INDEX idx_posts_views ON posts (views)"]}
            """
        _ = try await collections.create(try JSONValue.parse(postsJSON))

        let records = RecordService(
            store: store, registry: registry, events: EventBus(), passwords: BcryptPasswordHasher())
        let system = RequestInfo(auth: .system)
        let user = try await records.create(
            in: "users",
            input: RecordInput([
                "email": "bench@example.com", "password": "bench-password", "passwordConfirm": "bench-password",
                "name": "Bench User",
            ]),
            request: system)

        var authorWrites: [RecordWrite] = []
        for i in 0..<100 {
            authorWrites.append(
                try await records.prepareCreate(
                    in: "authors", input: RecordInput(["name": .string("author \(i)")]), request: system))
        }
        let authorIDs = try await records.performBatch(authorWrites).compactMap { $0?.id }

        var rng = SplitMix64(seed: 6)
        var index = 0
        while index < count {
            var writes: [RecordWrite] = []
            for i in index..<min(count, index + 500) {
                let values: [String: JSONValue] = [
                    "title": .string("post \(i) " + String(repeating: "lorem ipsum ", count: 4)),
                    "views": .number(Double(rng.next() % 100_000)),
                    "published": .bool(rng.next() % 2 == 0),
                    "author": .string(authorIDs[Int(rng.next() % UInt64(authorIDs.count))]),
                ]
                writes.append(
                    try await records.prepareCreate(in: "posts", input: RecordInput(values), request: system))
            }
            _ = try await records.performBatch(writes)
            index += writes.count
        }
        return BenchDatabase(directory: directory, store: store, registry: registry, records: records, user: user)
    }

    /// A published post's id (the signed-in rule lets the user see it).
    func publishedPostID() async throws -> String {
        let page = try await records.list(
            in: "posts", options: RecordListOptions(perPage: 1, skipTotal: true, filter: "published=true"),
            request: guestRequest)
        return page.items[0].id
    }

    /// The page the list scenario answers: 50 posts, `filter=Texts.listFilter`, `sort=-views`.
    func listPage() async throws -> [RecordModel] {
        let page = try await records.list(
            in: "posts",
            options: RecordListOptions(perPage: 50, skipTotal: true, sort: "-views", filter: Texts.listFilter),
            request: guestRequest)
        precondition(page.items.count == 50, "seed more posts: the list page has \(page.items.count)")
        return page.items
    }

    /// Data directories opened in this process (each benchmark runs in a process of its own).
    private static let opened = Mutex<[URL]>([])

    /// Deletes every data directory opened in this process: the teardown of benchmarks that open one.
    static func removeAll() {
        for directory in opened.withLock({ list in defer { list = [] }; return list }) {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// SplitMix64: a tiny deterministic generator, so every run seeds the same data.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

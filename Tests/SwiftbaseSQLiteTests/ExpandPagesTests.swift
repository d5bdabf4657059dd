import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Back-relations paged per parent (`ExpandSlice`, GraphQL's `comments_via_post(where:, order_by:, limit:,
/// offset:)`) on a real SQLite store: each parent's own page in the slice's order, the view rule and the
/// filter applied, a record pointing to several parents paged under each, all in one query per level.
@Suite("Expand pages", .timeLimit(.minutes(1)))
struct ExpandPagesTests {
    static let system = RequestInfo(auth: .system, method: "POST")
    static let guest = RequestInfo(auth: AuthContext(.guest))

    /// Three posts; comments with `n` 0…(count-1) on each (post `p0` 7 comments, `p1` 3, `p2` none), every
    /// third one `hidden` (the view rule hides it from guests); notes whose multi relation `posts` points to
    /// several posts.
    struct Setup {
        let fixture: StoreFixture
        let posts: CollectionModel
        let post: [RecordModel]
        /// Per post: its comments' (n, hidden) in creation order.
        let comments: [[(n: Int, hidden: Bool)]]
        let notes: [RecordModel]

        init() async throws {
            let fixture = try await StoreFixture("expand-pages")
            self.fixture = fixture
            posts = try await fixture.collections.create([
                "name": "posts", "listRule": "", "viewRule": "", "fields": [["name": "title", "type": "text"]],
            ])
            _ = try await fixture.collections.create([
                "name": "comments", "listRule": "hidden = false", "viewRule": "hidden = false",
                "fields": [
                    ["name": "n", "type": "number"],
                    ["name": "hidden", "type": "bool"],
                    ["name": "post", "type": "relation", "collectionId": .string(posts.id), "maxSelect": 1],
                ],
            ])
            _ = try await fixture.collections.create([
                "name": "notes", "listRule": "", "viewRule": "",
                "fields": [
                    ["name": "label", "type": "text"],
                    ["name": "posts", "type": "relation", "collectionId": .string(posts.id), "maxSelect": 5],
                ],
            ])
            var post: [RecordModel] = []
            for i in 0..<3 {
                post.append(
                    try await fixture.records.create(
                        in: "posts", input: RecordInput(["title": .string("p\(i)")]), request: ExpandPagesTests.system))
            }
            var comments: [[(n: Int, hidden: Bool)]] = [[], [], []]
            // Interleaved, so a parent's comments are not stored next to each other.
            for n in 0..<7 {
                for (p, count) in [(0, 7), (1, 3)] where n < count {
                    let hidden = n % 3 == 2
                    _ = try await fixture.records.create(
                        in: "comments",
                        input: RecordInput([
                            "n": .number(Double(n)), "hidden": .bool(hidden), "post": .string(post[p].id),
                        ]),
                        request: ExpandPagesTests.system)
                    comments[p].append((n, hidden))
                }
            }
            var notes: [RecordModel] = []
            for (label, targets) in [("x", [0, 1]), ("y", [1]), ("z", [1, 0, 2])] {
                notes.append(
                    try await fixture.records.create(
                        in: "notes",
                        input: RecordInput([
                            "label": .string(label), "posts": .array(targets.map { .string(post[$0].id) }),
                        ]),
                        request: ExpandPagesTests.system))
            }
            self.post = post
            self.comments = comments
            self.notes = notes
        }

        /// Each post's page of `relation` under `key`, as the presenter answers it for `request`.
        func pages(_ relation: String, _ slice: ExpandSlice, key: String = "page", request: RequestInfo) async throws
            -> [[JSONValue]]
        {
            var tree = ExpandTree()
            tree.children[key] = ExpandTree(relation: relation, slice: slice)
            let json = try await RecordPresenter(records: fixture.records).json(
                post, of: posts, for: request, RecordPresentation(expand: tree, fields: nil))
            return json.map { $0["expand"]?[key]?.arrayValue ?? [] }
        }
    }

    static func numbers(_ page: [JSONValue]) -> [Int] {
        page.compactMap { $0["n"]?.doubleValue.map { Int($0) } }
    }

    @Test func eachParentGetsItsOwnPageInTheSlicesOrder() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let slice = ExpandSlice(filter: "n > 0", sort: "-n", limit: 2, offset: 1)
        for request in [Self.system, Self.guest] {
            let got = try await setup.pages("comments_via_post", slice, request: request).map(Self.numbers)
            let expected = setup.comments.map { rows in
                Array(
                    rows.filter { $0.n > 0 && (request.auth.isSuperuser || !$0.hidden) }.map(\.n).sorted(by: >)
                        .dropFirst(1).prefix(2))
            }
            #expect(got == expected, "\(request.auth)")
        }
        // The guest's view: p0 has 1…6 minus the hidden 2 and 5 → 6, 4, 3, 1 → page [4, 3]; p1 has 1 → [].
        let guest = try await setup.pages("comments_via_post", slice, request: Self.guest).map(Self.numbers)
        #expect(guest == [[4, 3], [], []])
    }

    @Test func withoutASortParentsKeepInsertionOrderAndWithoutALimitGetEverything() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let got = try await setup.pages("comments_via_post", ExpandSlice(), request: Self.system).map(Self.numbers)
        #expect(got == setup.comments.map { $0.map(\.n) })
        let offset = try await setup.pages("comments_via_post", ExpandSlice(offset: 5), request: Self.system)
        #expect(offset.map(Self.numbers) == [[5, 6], [], []])
        let condition = try #require(try FilterParser.parse("n = 1 || n = 6"))
        let parsed = try await setup.pages(
            "comments_via_post", ExpandSlice(condition: condition, sort: "n"), request: Self.system)
        #expect(parsed.map(Self.numbers) == [[1, 6], [1], []])
    }

    @Test func aRecordPointingToSeveralParentsIsPagedUnderEach() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let got = try await setup.pages("notes_via_posts", ExpandSlice(sort: "-label", limit: 2), request: Self.guest)
        let labels = got.map { $0.compactMap { $0["label"]?.stringValue } }
        #expect(labels == [["z", "x"], ["z", "y"], ["z"]])
    }

    @Test func twoKeysPageTheSameRelationTwoWaysAndAWrongFilterIsAClearError() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        var tree = ExpandTree()
        tree.children["first"] = ExpandTree(relation: "comments_via_post", slice: ExpandSlice(sort: "n", limit: 1))
        tree.children["last"] = ExpandTree(relation: "comments_via_post", slice: ExpandSlice(sort: "-n", limit: 1))
        let json = try await RecordPresenter(records: setup.fixture.records).json(
            setup.post, of: setup.posts, for: Self.system, RecordPresentation(expand: tree, fields: nil))
        #expect(json.map { Self.numbers($0["expand"]?["first"]?.arrayValue ?? []) } == [[0], [0], []])
        #expect(json.map { Self.numbers($0["expand"]?["last"]?.arrayValue ?? []) } == [[6], [2], []])
        await #expect(throws: SwiftbaseError.self) {
            _ = try await setup.pages("comments_via_post", ExpandSlice(filter: "nope = 1"), request: Self.system)
        }
    }
}

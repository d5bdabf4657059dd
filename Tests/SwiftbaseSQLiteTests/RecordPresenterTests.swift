import Foundation
import SwiftbaseCore
import SwiftbaseServices
import SwiftbaseSQLite
import Testing

/// The one record presentation path on a real SQLite store: emails shown only to whom the rules allow,
/// `expand` only into what the requester may view, hidden fields only for superusers, `fields` applied last.
@Suite("Record presenter", .timeLimit(.minutes(1)))
struct RecordPresenterTests {
    static let system = RequestInfo(auth: .system, method: "POST")

    /// Users `ann` (email hidden), `bob` (email visible) and `boss` (who manages every user: the `manageRule`
    /// is `@request.auth.name = "boss"`); `posts` by ann with a hidden field, relating to a user and to a
    /// `secrets` record only superusers may view.
    struct Setup {
        let fixture: StoreFixture
        let presenter: RecordPresenter
        let users: CollectionModel
        let posts: CollectionModel
        let ann: RecordModel
        let bob: RecordModel
        let boss: RecordModel
        let post: RecordModel

        init() async throws {
            let fixture = try await StoreFixture("presenter")
            self.fixture = fixture
            presenter = RecordPresenter(records: fixture.records)
            users = try await fixture.collections.update(
                "users", with: ["listRule": "", "viewRule": "", "manageRule": #"@request.auth.name = "boss""#])
            func user(_ name: String, visible: Bool) async throws -> RecordModel {
                try await fixture.records.create(
                    in: "users",
                    input: RecordInput([
                        "email": .string(name + "@example.com"), "name": .string(name), "emailVisibility": .bool(visible),
                        "password": "Pass-word-123", "passwordConfirm": "Pass-word-123",
                    ]),
                    request: RecordPresenterTests.system)
            }
            ann = try await user("ann", visible: false)
            bob = try await user("bob", visible: true)
            boss = try await user("boss", visible: false)
            let secrets = try await fixture.collections.create([
                "name": "secrets", "fields": [["name": "note", "type": "text"]],
            ])
            let secret = try await fixture.records.create(
                in: "secrets", input: RecordInput(["note": "launch codes"]), request: RecordPresenterTests.system)
            posts = try await fixture.collections.create([
                "name": "posts", "listRule": "", "viewRule": "",
                "fields": [
                    ["name": "title", "type": "text"],
                    ["name": "body", "type": "text"],
                    ["name": "internal", "type": "text", "hidden": true],
                    ["name": "author", "type": "relation", "collectionId": .string(users.id), "maxSelect": 1],
                    ["name": "secret", "type": "relation", "collectionId": .string(secrets.id), "maxSelect": 1],
                ],
            ])
            post = try await fixture.records.create(
                in: "posts",
                input: RecordInput([
                    "title": "Hello", "body": "<p>Hello <b>big</b> world</p>", "internal": "draft",
                    "author": .string(ann.id), "secret": .string(secret.id),
                ]),
                request: RecordPresenterTests.system)
        }

        func asUser(_ record: RecordModel) -> RequestInfo {
            RequestInfo(auth: AuthContext(.record(record)))
        }
    }

    // MARK: - Emails

    @Test func emailsShowOnlyToTheRecordItselfWhenVisibleToManagersAndToSuperusers() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let everyone = [setup.ann, setup.bob, setup.boss]
        func emails(for request: RequestInfo, checkManageRule: Bool = true) async throws -> [String?] {
            try await setup.presenter.json(everyone, of: setup.users, for: request, .full, checkManageRule: checkManageRule)
                .map { $0["email"]?.stringValue }
        }
        #expect(try await emails(for: RequestInfo()) == [nil, "bob@example.com", nil])
        #expect(try await emails(for: setup.asUser(setup.ann)) == ["ann@example.com", "bob@example.com", nil])
        #expect(
            try await emails(for: setup.asUser(setup.boss))
                == ["ann@example.com", "bob@example.com", "boss@example.com"])
        #expect(
            try await emails(for: RequestInfo(auth: .system))
                == ["ann@example.com", "bob@example.com", "boss@example.com"])
        // Without the manageRule (records no longer stored), a manager sees what anyone else sees.
        #expect(
            try await emails(for: setup.asUser(setup.boss), checkManageRule: false)
                == [nil, "bob@example.com", "boss@example.com"])
    }

    @Test func secretsAndHiddenFieldsNeverShowButCommonFieldsAlwaysDo() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let user = try await setup.presenter.json(setup.ann, of: setup.users, for: setup.asUser(setup.ann), .full)
        #expect(user["password"] == nil && user["tokenKey"] == nil)
        #expect(user["collectionName"] == "users" && user["collectionId"] == .string(setup.users.id))
        #expect(user["verified"] != nil && user["emailVisibility"] == false)

        let asGuest = try await setup.presenter.json(setup.post, of: setup.posts, for: RequestInfo(), .full)
        #expect(asGuest["internal"] == nil && asGuest["title"] == "Hello")
        let asSuperuser = try await setup.presenter.json(setup.post, of: setup.posts, for: RequestInfo(auth: .system), .full)
        #expect(asSuperuser["internal"] == "draft")
    }

    // MARK: - Expand

    @Test func expandLoadsOnlyWhatTheRequesterMayViewAndHidesEmailsInside() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let presentation = try RecordPresentation(expand: "author,secret,nothing")
        let asGuest = try await setup.presenter.json(setup.post, of: setup.posts, for: RequestInfo(), presentation)
        #expect(asGuest["expand"]?["author"]?["name"] == "ann")
        #expect(asGuest["expand"]?["author"]?["email"] == nil)
        #expect(asGuest["expand"]?["secret"] == nil)

        let asAnn = try await setup.presenter.json(setup.post, of: setup.posts, for: setup.asUser(setup.ann), presentation)
        #expect(asAnn["expand"]?["author"]?["email"] == "ann@example.com")

        let asSuperuser = try await setup.presenter.json(
            setup.post, of: setup.posts, for: RequestInfo(auth: .system), presentation)
        #expect(asSuperuser["expand"]?["secret"]?["note"] == "launch codes")
        #expect(asSuperuser["expand"]?["author"]?["email"] == "ann@example.com")
    }

    @Test func anAPIKeyExpandsOnlyIntoCollectionsItsScopesLetItView() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let grant = APIKeyGrant(id: "k1", name: "ci", scopes: [APIKeyScope(collection: "posts", actions: [.view])])
        let acting = try AuthContext(.apiKey(grant)).acting(.view, on: setup.posts)
        let json = try await setup.presenter.json(
            setup.post, of: setup.posts, for: RequestInfo(auth: acting), try RecordPresentation(expand: "author,secret"))
        #expect(json["internal"] == "draft")  // superuser reach inside its scopes…
        #expect(json["expand"] == nil)  // …but no expand outside them
    }

    // MARK: - Fields

    @Test func fieldsApplyToEachRecordAfterExpand() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let presentation = try RecordPresentation(expand: "author", fields: "id,body:excerpt(8,true),expand.author.name")
        let items = try await setup.presenter.json([setup.post, setup.post], of: setup.posts, for: RequestInfo(), presentation)
        let expected: JSONValue = ["id": .string(setup.post.id), "body": "Hello bi...", "expand": ["author": ["name": "ann"]]]
        #expect(items == [expected, expected])
    }

    @Test(arguments: [("", "a(b"), ("", "x:nothing(1)"), (String(repeating: "a,", count: 5000), "")])
    func aMalformedPresentationIsABadRequest(expand: String, fields: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try RecordPresentation(expand: expand, fields: fields) }
    }

    // MARK: - Auth responses

    @Test func anAuthResponsePresentsTheRecordToItselfAndProjectsTheWholeAnswer() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        // Asked by a guest: the record is its own requester, so its email shows and its expand is its own.
        let full = try await setup.presenter.authResponse(
            token: "t0k3n", record: setup.ann, of: setup.users, request: RequestInfo(), .full)
        #expect(full["token"] == "t0k3n")
        #expect(full["record"]?["email"] == "ann@example.com")
        #expect(full["record"]?["tokenKey"] == nil && full["record"]?["password"] == nil)

        let projected = try await setup.presenter.authResponse(
            token: "t0k3n", record: setup.ann, of: setup.users, request: RequestInfo(),
            try RecordPresentation(fields: "token,record.email"))
        #expect(projected == ["token": "t0k3n", "record": ["email": "ann@example.com"]])
    }
}

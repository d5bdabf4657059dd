import Foundation
import SwiftbaseCore
import SwiftbaseSQLite

/// A small schema exercising every resolver path, shared by the filter tests.
enum FilterFixture {
    static let now = Date(timeIntervalSince1970: 1_704_164_645.5)  // 2024-01-02 03:04:05.500Z, a Tuesday

    static func field(_ name: String, _ options: FieldOptions, hidden: Bool = false) -> FieldModel {
        FieldModel(id: "f_" + name, name: name, hidden: hidden, options: options)
    }

    static let users = CollectionModel(
        id: "_pb_users_auth_", name: "users", type: .auth, listRule: "id = @request.auth.id",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("email", .email(EmailFieldOptions())),
            field("emailVisibility", .bool(BoolFieldOptions())),
            field("verified", .bool(BoolFieldOptions())),
            field("password", .password(PasswordFieldOptions()), hidden: true),
            field("name", .text(TextFieldOptions())),
            field("team", .relation(RelationFieldOptions(collectionId: "pbc_teams", maxSelect: 1))),
        ])

    static let teams = CollectionModel(
        id: "pbc_teams", name: "teams", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("name", .text(TextFieldOptions())),
        ])

    static let posts = CollectionModel(
        id: "pbc_posts", name: "posts", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("title", .text(TextFieldOptions())),
            field("n", .number(NumberFieldOptions())),
            field("flag", .bool(BoolFieldOptions())),
            field("status", .select(SelectFieldOptions(values: ["draft", "live"], maxSelect: 1))),
            field("tags", .select(SelectFieldOptions(values: ["a", "b", "c"], maxSelect: 3))),
            field("author", .relation(RelationFieldOptions(collectionId: "_pb_users_auth_", maxSelect: 1))),
            field("editors", .relation(RelationFieldOptions(collectionId: "_pb_users_auth_", maxSelect: 5))),
            field("data", .json(JSONFieldOptions())),
            field("when", .date(DateFieldOptions())),
            field("secret", .text(TextFieldOptions()), hidden: true),
            field("created", .autodate(AutodateFieldOptions())),
            field("parent", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 1))),
        ])

    static let comments = CollectionModel(
        id: "pbc_comments", name: "comments", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("message", .text(TextFieldOptions())),
            field("post", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 1))),
        ])

    /// One comment per post at most: the back-relation is single-valued.
    static let pins = CollectionModel(
        id: "pbc_pins", name: "pins", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("post", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 1))),
        ],
        indexes: ["CREATE UNIQUE INDEX `idx_pins_post` ON `pins` (`post`)"])

    static let lists = CollectionModel(
        id: "pbc_lists", name: "lists", listRule: nil,
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("posts", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 10))),
        ])

    /// Places with a location, and tours visiting several of them (geoPoint paths and `geoDistance`).
    static let places = CollectionModel(
        id: "pbc_places", name: "places", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("name", .text(TextFieldOptions())),
            field("loc", .geoPoint(GeoPointFieldOptions())),
            field("secretLoc", .geoPoint(GeoPointFieldOptions()), hidden: true),
        ])

    static let tours = CollectionModel(
        id: "pbc_tours", name: "tours", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("stops", .relation(RelationFieldOptions(collectionId: "pbc_places", maxSelect: 10))),
        ])

    static let schema = SchemaSnapshot(
        [users, teams, posts, comments, pins, lists, places, tours], dialect: SQLiteDialect())

    static let alice = RecordModel(
        collectionId: "_pb_users_auth_", collectionName: "users",
        values: [
            "id": "u_alice", "email": "alice@example.com", "emailVisibility": false, "verified": true, "name": "Alice",
            "team": "t1",
        ])

    static func resolver(
        _ collection: CollectionModel = posts, request: RequestInfo? = RequestInfo(), hidden: Bool = true,
        references: Bool = true
    ) -> RecordFieldResolver {
        RecordFieldResolver(
            schema: schema, collection: collection, request: request, allowHiddenFields: hidden,
            allowRequestAndCollectionReferences: references, now: now)
    }

    /// Parses and compiles `filter`.
    static func compile(_ filter: String, _ resolver: RecordFieldResolver = resolver()) throws -> SQLFragment {
        var resolver = resolver
        guard let expression = try FilterParser.parse(filter) else { return SQLFragment(unsafeRaw: "") }
        return try FilterCompiler.compile(expression, resolver: &resolver)
    }
}


extension SQLFragment {
    /// Number of `?` placeholders (our SQL never has `?` inside literals).
    var placeholderCount: Int { sql.utf8.count { $0 == UInt8(ascii: "?") } }
}

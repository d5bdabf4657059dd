import SwiftbaseCore
import SwiftbaseSQLite

@testable import SwiftbaseGraphQL

/// A small schema with every field type, relations both ways, an auth collection and a view.
enum GraphQLFixture {
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
            field("tokenKey", .text(TextFieldOptions()), hidden: true),
            field("name", .text(TextFieldOptions())),
            field("avatar", .file(FileFieldOptions(maxSelect: 1))),
            field("owner", .relation(RelationFieldOptions(collectionId: "pbc_superusers", maxSelect: 1))),
        ])

    static let superusers = CollectionModel(
        id: "pbc_superusers", name: "_superusers", type: .auth, system: true,
        fields: [field("id", .text(TextFieldOptions(primaryKey: true)))])

    static let posts = CollectionModel(
        id: "pbc_posts", name: "posts", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("title", .text(TextFieldOptions())),
            field("views", .number(NumberFieldOptions(onlyInt: true))),
            field("score", .number(NumberFieldOptions())),
            field("live", .bool(BoolFieldOptions())),
            field("status", .select(SelectFieldOptions(values: ["draft", "live"], maxSelect: 1))),
            field("tags", .select(SelectFieldOptions(values: ["a", "b", "c"], maxSelect: 3))),
            field("meta", .json(JSONFieldOptions())),
            field("when", .date(DateFieldOptions())),
            field("where", .geoPoint(GeoPointFieldOptions())),
            field("docs", .file(FileFieldOptions(maxSelect: 5))),
            field("author", .relation(RelationFieldOptions(collectionId: "_pb_users_auth_", maxSelect: 1))),
            field("editors", .relation(RelationFieldOptions(collectionId: "_pb_users_auth_", maxSelect: 5))),
            field("secret", .text(TextFieldOptions()), hidden: true),
            field("created", .autodate(AutodateFieldOptions())),
        ])

    static let comments = CollectionModel(
        id: "pbc_comments", name: "comments", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("message", .text(TextFieldOptions())),
            field("post", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 1))),
        ])

    /// One pin per post: the back-relation is a single record.
    static let pins = CollectionModel(
        id: "pbc_pins", name: "pins", listRule: "",
        fields: [
            field("id", .text(TextFieldOptions(primaryKey: true))),
            field("post", .relation(RelationFieldOptions(collectionId: "pbc_posts", maxSelect: 1))),
        ],
        indexes: ["CREATE UNIQUE INDEX `idx_pins_post` ON `pins` (`post`)"])

    static let stats = CollectionModel(
        id: "pbc_stats", name: "stats", type: .view, listRule: "",
        fields: [field("id", .text(TextFieldOptions(primaryKey: true))), field("total", .number(NumberFieldOptions()))])

    static let snapshot = SchemaSnapshot(
        [users, superusers, posts, comments, pins, stats], dialect: SQLiteDialect())

    static let catalog = GraphQLCatalog(snapshot)

    static func shape(_ type: String) -> CollectionShape {
        guard let shape = catalog.shape(type: type) else { preconditionFailure("fixture has \(type)") }
        return shape
    }
}

extension JSONValue {
    /// Element lookup on arrays, for reading GraphQL answers in tests; `nil` out of range or for other kinds.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

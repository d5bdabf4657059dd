import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

@Suite struct SystemCollectionsTests {
    @Test func superusers() throws {
        let c = SystemCollections.superusers()
        #expect(c.id == "pbc_3142635823")
        #expect(c.name == "_superusers")
        #expect(c.type == .auth && c.system)
        #expect([c.listRule, c.viewRule, c.createRule, c.updateRule, c.deleteRule].allSatisfy { $0 == nil })
        #expect(c.fields.map(\.name) == ["id", "password", "tokenKey", "email", "emailVisibility", "verified", "created", "updated"])
        let auth = try #require(c.auth)
        #expect(auth.authTokenDuration == 86_400)
        #expect(auth.authTokenSecret.count == 50 && auth.fileTokenSecret.count == 50)
        #expect(auth.authTokenSecret != auth.fileTokenSecret)
        #expect(c.indexes.contains("CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)"))
        let schema = SchemaSnapshot([], dialect: SQLiteDialect())
        #expect(CollectionValidator.validate(c, previous: nil, in: schema).isEmpty)
    }

    @Test func users() {
        let c = SystemCollections.users()
        #expect(c.id == "_pb_users_auth_")
        #expect(c.listRule == "id = @request.auth.id" && c.createRule == "")
        #expect(!c.system)
        #expect(c.field(named: "avatar")?.options == .file(FileFieldOptions(maxSelect: 1, mimeTypes: ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"])))
        let schema = SchemaSnapshot([SystemCollections.superusers()], dialect: SQLiteDialect())
        #expect(CollectionValidator.validate(c, previous: nil, in: schema).isEmpty)
    }

    @Test func authSystemFields() {
        let fields = SystemCollections.authSystemFields()
        #expect(fields.allSatisfy { $0.system })
        #expect(fields[0].hidden && fields[0].options == .password(PasswordFieldOptions(min: 8)))
        #expect(fields[1].hidden && fields[1].options == .text(TextFieldOptions(min: 30, max: 60, autogeneratePattern: "[a-zA-Z0-9]{50}")))
    }

    @Test func scaffolds() {
        let s = SystemCollections.scaffolds()
        #expect(Set(s.keys) == ["base", "auth", "view"])
        #expect(s["base"]?.fields.map(\.name) == ["id"])
        #expect(s["auth"]?.fields.count == 6 && s["auth"]?.indexes.count == 2 && s["auth"]?.id == "")
        #expect(s["view"]?.fields.isEmpty == true && s["view"]?.json["viewQuery"] == "")
    }
}

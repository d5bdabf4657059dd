import SwiftbaseCore
import SwiftbaseSQLite
import Testing

@testable import SwiftbaseGraphQL

@Suite struct GraphQLCatalogTests {
    let catalog = GraphQLFixture.catalog

    @Test func systemCollectionsAreNotServed() {
        #expect(catalog.shapes.map(\.typeName) == ["comments", "pins", "posts", "stats", "users"])
    }

    @Test func passwordsTokenKeysAndHiddenFieldsNeverAppear() {
        let users = GraphQLFixture.shape("users")
        #expect(users.field("password") == nil)
        #expect(users.field("tokenKey") == nil)
        #expect(users.field("email") != nil)
        #expect(GraphQLFixture.shape("posts").field("secret") == nil)
    }

    @Test func fieldTypesMapNaturally() {
        let posts = GraphQLFixture.shape("posts")
        func type(_ name: String) -> ValueType? {
            if case .value(_, let type)? = posts.field(name)?.kind { return type }
            return nil
        }
        #expect(type("views") == .int)
        #expect(type("score") == .float)
        #expect(type("live") == .boolean)
        #expect(type("status") == .string)
        #expect(type("tags") == .stringList)
        #expect(type("meta") == .json)
        #expect(type("when") == .dateTime)
        #expect(type("created") == .dateTime)
        #expect(type("where") == .geoPoint)
    }

    @Test func relationsResolveToRecordsBothWays() {
        let posts = GraphQLFixture.shape("posts")
        guard case .relation(_, "users", false)? = posts.field("author")?.kind else {
            Issue.record("author is a single relation to users")
            return
        }
        guard case .relation(_, "users", true)? = posts.field("editors")?.kind else {
            Issue.record("editors is a multi relation to users")
            return
        }
        guard case .backRelation("comments_via_post", "comments", _, true)? = posts.field("comments_via_post")?.kind
        else {
            Issue.record("comments_via_post is a list")
            return
        }
        guard case .backRelation("pins_via_post", "pins", _, false)? = posts.field("pins_via_post")?.kind else {
            Issue.record("pins_via_post is one record (unique index)")
            return
        }
    }

    @Test func aRelationToACollectionOutsideTheSchemaAnswersIDs() {
        guard case .value(_, .string)? = GraphQLFixture.shape("users").field("owner")?.kind else {
            Issue.record("owner points at _superusers: its id as text")
            return
        }
    }

    @Test func fileFieldsHaveAURLCompanion() {
        let posts = GraphQLFixture.shape("posts")
        guard case .file(_, true)? = posts.field("docs")?.kind, case .fileURL(_, true)? = posts.field("docs_url")?.kind
        else {
            Issue.record("docs and docs_url are lists")
            return
        }
    }

    @Test func viewsAreReadOnlyAndInputsSkipGeneratedFields() {
        #expect(!GraphQLFixture.shape("stats").isWritable)
        let writable = GraphQLFixture.shape("posts").writableFields.map(\.name)
        #expect(writable.contains("title"))
        #expect(writable.contains("author"))
        #expect(!writable.contains("created"))
        #expect(!writable.contains("docs"))
        #expect(!writable.contains("id"))
    }

    @Test func aCollectionWhoseNamesCollideIsLeftOut() {
        let posts = CollectionModel(id: "c1", name: "posts", listRule: "")
        let clash = CollectionModel(id: "c2", name: "posts_bool_exp", listRule: "")
        let catalog = GraphQLCatalog(SchemaSnapshot([posts, clash], dialect: SQLiteDialect()))
        #expect(catalog.shapes.map(\.typeName) == ["posts"])
        #expect(catalog.skipped == ["posts_bool_exp"])
    }

    @Test func theGeneratedSchemaIsValidAndUsesHasuraNames() throws {
        let bundle = try GraphQLSchemaBundle(generation: 1, snapshot: GraphQLFixture.snapshot)
        for expected in [
            "type query_root", "posts(", "where: posts_bool_exp", "order_by: [posts_order_by!]", "limit: Int",
            "offset: Int",
            "filter: String", "): [posts!]!",
            "posts_by_pk(id: String!): posts", "insert_posts_one(object: posts_insert_input!): posts",
            "update_posts_by_pk(", "pk_columns: posts_pk_columns_input!", "_set: posts_set_input",
            "_inc: posts_inc_input",
            "delete_posts_by_pk(id: String!): posts",
            // A list back-relation is an array relationship: paged per record; a unique one is one record.
            "comments_via_post(\n    where: comments_bool_exp\n    order_by: [comments_order_by!]",
            "filter: String\n  ): [comments!]!", "pins_via_post: pins\n",
            "comments_via_post_aggregate(\n    where: comments_bool_exp",
            "author: users", "editors: [users!]!", "tags: [String!]", "meta: JSON", "when: DateTime", "where: GeoPoint",
            "views: Int", "score: Float", "docs_url: [String!]", "_ilike: String", "scalar DateTime",
        ] {
            #expect(bundle.sdl.contains(expected), "SDL lacks \(expected)")
        }
        #expect(!bundle.sdl.contains("insert_stats_one"))
        #expect(!bundle.sdl.contains("pins_via_post_aggregate"))  // one record: nothing to aggregate
        #expect(!bundle.sdl.contains("secret"))
        #expect(!bundle.sdl.contains("tokenKey"))
    }
}

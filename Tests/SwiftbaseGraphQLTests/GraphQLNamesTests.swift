import Testing

@testable import SwiftbaseGraphQL

@Suite struct GraphQLNamesTests {
    @Test(arguments: [
        ("posts", "posts"), ("Posts_2", "Posts_2"), ("2024_logs", "_2024_logs"), ("__hidden", "x__hidden"),
        ("a-b", "a_b"), ("", "_"),
    ])
    func sanitisedNamesAreValidGraphQLNames(name: String, expected: String) {
        #expect(GraphQLNames.sanitize(name) == expected)
    }

    @Test func hasuraNamesAreDerivedFromTheType() {
        #expect(GraphQLNames.boolExp("posts") == "posts_bool_exp")
        #expect(GraphQLNames.insertOne("posts") == "insert_posts_one")
        #expect(GraphQLNames.updateByPK("posts") == "update_posts_by_pk")
        #expect(GraphQLNames.deleteByPK("posts") == "delete_posts_by_pk")
    }
}

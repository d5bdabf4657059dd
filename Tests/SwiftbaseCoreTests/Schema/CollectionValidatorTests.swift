import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

@Suite struct CollectionValidatorTests {
    let posts = CollectionModel(
        id: "pbc_1125843985", name: "posts",
        fields: [
            SystemCollections.idField(),
            FieldModel(id: "text724990059", name: "title", options: .text(TextFieldOptions())),
        ])

    func validate(_ c: CollectionModel, previous: CollectionModel? = nil, others: [CollectionModel] = []) -> JSONValue {
        let schema = SchemaSnapshot(others + (previous.map { [$0] } ?? []), dialect: SQLiteDialect())
        return CollectionValidator.validate(c, previous: previous, in: schema).json
    }

    func newPost(name: String = "articles", fields: [FieldModel] = []) -> CollectionModel {
        CollectionModel(id: "pbc_new", name: name, fields: [SystemCollections.idField()] + fields)
    }

    @Test func validCollectionHasNoErrors() {
        #expect(validate(newPost(), others: [posts]) == [:])
    }

    @Test(arguments: [
        ("", "validation_required"), ("has space", "validation_match_invalid"), ("a_via_b", "validation_found_via"),
        ("POSTS", "validation_collection_name_exists"), ("pbc_1125843985", "validation_collection_name_id_duplicate"),
        ("_collections", "validation_collection_name_invalid"), (String(repeating: "a", count: 256), "validation_length_out_of_range"),
    ])
    func collectionNames(name: String, code: String) {
        #expect(validate(newPost(name: name), others: [posts])["name"]?["code"] == .string(code))
    }

    @Test(arguments: [
        ("", "validation_required"), ("a-b", "validation_match_invalid"), ("expand", "validation_not_in_invalid"),
        ("collectionId", "validation_not_in_invalid"), ("x_via_y", "validation_found_via"),
        (String(repeating: "a", count: 101), "validation_length_out_of_range"),
    ])
    func fieldNames(name: String, code: String) {
        let c = newPost(fields: [FieldModel(id: "t1", name: name, options: .text(TextFieldOptions()))])
        #expect(validate(c)["fields"]?["1"]?["name"]?["code"] == .string(code))
    }

    @Test func duplicateFieldNamesCaseInsensitive() {
        let c = newPost(fields: [
            FieldModel(id: "a", name: "Title", options: .text(TextFieldOptions())),
            FieldModel(id: "b", name: "title", options: .number(NumberFieldOptions())),
        ])
        let error = validate(c)["fields"]?["2"]?["name"]
        #expect(error?["code"] == "validation_duplicated_field_name")
        #expect(error?["params"] == ["fieldName": "title"])
    }

    @Test func duplicateFieldIDs() {
        let c = newPost(fields: [
            FieldModel(id: "a", name: "one", options: .text(TextFieldOptions())),
            FieldModel(id: "a", name: "two", options: .text(TextFieldOptions())),
        ])
        #expect(validate(c)["fields"]?["2"]?["id"]?["code"] == "validation_duplicated_field_id")
    }

    @Test func missingPrimaryKey() {
        let c = CollectionModel(id: "x", name: "x", fields: [FieldModel(id: "a", name: "a", options: .bool(BoolFieldOptions()))])
        #expect(validate(c)["fields"]?["code"] == "validation_missing_primary_key")
        #expect(validate(CollectionModel(id: "x", name: "x"))["fields"]?["code"] == "validation_required")
    }

    @Test func optionErrorsAreNestedUnderTheFieldIndex() {
        let c = newPost(fields: [
            FieldModel(id: "s", name: "status", options: .select(SelectFieldOptions())),
            FieldModel(id: "e", name: "mail", options: .email(EmailFieldOptions(onlyDomains: ["ok.com", "bad domain"]))),
            FieldModel(id: "r", name: "owner", options: .relation(RelationFieldOptions(collectionId: "missing"))),
            FieldModel(id: "f", name: "doc", options: .file(FileFieldOptions(thumbs: ["100x100", "0x0", "big"]))),
            FieldModel(id: "a", name: "stamp", options: .autodate(AutodateFieldOptions(onCreate: false, onUpdate: false))),
            FieldModel(id: "n", name: "n", options: .number(NumberFieldOptions(min: 5, max: 1))),
            FieldModel(id: "t", name: "t", options: .text(TextFieldOptions(min: 5, max: 2, pattern: "("))),
        ])
        let fields = validate(c)["fields"]
        #expect(fields?["1"]?["values"]?["code"] == "validation_required")
        #expect(fields?["2"]?["onlyDomains"]?["1"]?["code"] == "validation_is_domain")
        #expect(fields?["2"]?["onlyDomains"]?["0"] == nil)
        #expect(fields?["3"]?["collectionId"]?["code"] == "validation_field_relation_missing_collection")
        #expect(fields?["4"]?["thumbs"]?["1"]?["code"] == "validation_not_in_invalid")
        #expect(fields?["4"]?["thumbs"]?["2"]?["code"] == "validation_match_invalid")
        #expect(fields?["5"]?["onCreate"]?["code"] == "validation_required")
        #expect(fields?["6"]?["max"]?["code"] == "validation_min_number_constraint")
        #expect(fields?["7"]?["max"]?["params"] == ["threshold": 5])
        #expect(fields?["7"]?["pattern"]?["code"] == "validation_invalid_regex")
        #expect(fields?["0"] == nil)
    }

    @Test func relationTargetsMustExistAndNotBeViews() {
        let view = CollectionModel(id: "v1", name: "v", type: .view, viewQuery: "select 1")
        let toPosts = newPost(fields: [FieldModel(id: "r", name: "p", options: .relation(RelationFieldOptions(collectionId: posts.id)))])
        #expect(validate(toPosts, others: [posts]) == [:])
        let byName = newPost(fields: [FieldModel(id: "r", name: "p", options: .relation(RelationFieldOptions(collectionId: "posts")))])
        #expect(validate(byName, others: [posts])["fields"]?["1"]?["collectionId"]?["code"] == "validation_field_relation_missing_collection")
        let toView = newPost(fields: [FieldModel(id: "r", name: "p", options: .relation(RelationFieldOptions(collectionId: "v1")))])
        #expect(validate(toView, others: [view])["fields"]?["1"]?["collectionId"]?["code"] == "validation_relation_field_non_view_base_collection")
        let toSelf = newPost(fields: [FieldModel(id: "r", name: "p", options: .relation(RelationFieldOptions(collectionId: "pbc_new")))])
        #expect(validate(toSelf) == [:])
    }

    @Test func updateRestrictions() {
        var changed = posts
        changed.type = .auth
        changed.system = true
        changed.fields[1].options = .number(NumberFieldOptions())
        changed.id = "other"
        let errors = validate(changed, previous: posts)
        #expect(errors["type"]?["code"] == "validation_collection_type_change")
        #expect(errors["system"]?["code"] == "validation_collection_system_flag_change")
        #expect(errors["id"]?["code"] == "validation_values_mismatch")

        var retyped = posts
        retyped.fields[1].options = .number(NumberFieldOptions())
        #expect(validate(retyped, previous: posts)["fields"]?["1"]?["code"] == "validation_field_type_change")

        var renamed = posts
        renamed.name = "articles"
        renamed.fields[1].name = "headline"
        #expect(validate(renamed, previous: posts) == [:])
    }

    @Test func relationTargetCannotChange() {
        let other = CollectionModel(id: "o1", name: "other", fields: [SystemCollections.idField()])
        var withRelation = posts
        withRelation.fields.append(FieldModel(id: "r", name: "owner", options: .relation(RelationFieldOptions(collectionId: other.id))))
        var retargeted = withRelation
        retargeted.fields[2].options = .relation(RelationFieldOptions(collectionId: "pbc_1125843985"))
        let errors = validate(retargeted, previous: withRelation, others: [other])
        #expect(errors["fields"]?["2"]?["collectionId"]?["code"] == "validation_field_relation_change")
    }

    @Test func systemCollectionsKeepNamesRulesAndFields() {
        let superusers = SystemCollections.superusers()
        var changed = superusers
        changed.name = "admins"
        changed.listRule = ""
        #expect(validate(changed, previous: superusers)["name"]?["code"] == "validation_collection_system_name_change")
        #expect(validate(changed, previous: superusers)["listRule"]?["code"] == "validation_collection_system_rule_change")
        var dropped = superusers
        dropped.fields.removeLast()
        #expect(validate(dropped, previous: superusers)["fields"]?["code"] == "validation_system_field_change")
        var autodate = superusers
        autodate.fields[7].options = .autodate(AutodateFieldOptions(onCreate: true, onUpdate: false))
        #expect(validate(autodate, previous: superusers)["fields"]?["7"]?["onUpdate"]?["code"] == "validation_values_mismatch")
    }

    @Test func authCollections() {
        var users = SystemCollections.users()
        users.fields.removeAll { $0.name == "verified" }
        #expect(validate(users)["fields"]?["code"] == "validation_missing_verified_field")

        var reserved = SystemCollections.users()
        reserved.fields.append(FieldModel(id: "pc", name: "passwordConfirm", options: .text(TextFieldOptions())))
        #expect(validate(reserved)["fields"]?["10"]?["name"]?["code"] == "validation_reserved_field_name")

        var options = SystemCollections.users()
        options.auth?.manageRule = ""
        options.auth?.authTokenDuration = 5
        options.auth?.fileTokenSecret = "short"
        let errors = validate(options)
        #expect(errors["manageRule"]?["code"] == "validation_nil_or_not_empty_required")
        #expect(errors["authToken"]?["duration"]?["code"] == "validation_min_greater_equal_than_required")
        #expect(errors["fileToken"]?["secret"]?["code"] == "validation_length_out_of_range")

        var identity = SystemCollections.users()
        identity.auth?.passwordIdentityFields = ["email", "name"]
        #expect(validate(identity)["passwordAuth"]?["identityFields"]?["code"] == "validation_missing_unique_constraint")

        var mfa = SystemCollections.users()
        mfa.auth?.extra["mfa"] = ["enabled": true, "duration": 600, "rule": ""]
        #expect(validate(mfa)["mfa"]?["enabled"]?["code"] == "validation_mfa_not_enough_auths")
    }

    @Test func viewsHaveNoWriteRulesOrIndexes() {
        let view = CollectionModel(id: "v", name: "v", type: .view, createRule: "", indexes: ["CREATE INDEX x ON v (a)"], viewQuery: "")
        let errors = validate(view)
        #expect(errors["createRule"]?["code"] == "validation_nil")
        #expect(errors["indexes"]?["code"] == "validation_indexes_not_supported")
        #expect(errors["viewQuery"]?["code"] == "validation_required")
    }
}

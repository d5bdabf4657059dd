/// The fields and collections every data directory starts with, shaped exactly as PocketBase creates them.
public enum SystemCollections {
    /// The fixed id of `_superusers` (SDKs hard-code it).
    public static let superusersID = "pbc_3142635823"
    public static let superusersName = "_superusers"
    /// The fixed id of the default `users` collection.
    public static let usersID = "_pb_users_auth_"

    // MARK: - System fields

    /// The `id` primary key every base and auth collection has: 15 characters of `[a-z0-9]`, generated.
    public static func idField() -> FieldModel {
        field(
            "id", system: true, required: true,
            .text(
                TextFieldOptions(
                    min: 15, max: 15, pattern: TextFieldOptions.defaultIDPattern, autogeneratePattern: "[a-z0-9]{15}",
                    primaryKey: true)))
    }

    /// The auth system fields in PocketBase's order: `password`, `tokenKey`, `email`, `emailVisibility`,
    /// `verified`.
    public static func authSystemFields() -> [FieldModel] {
        [
            field("password", system: true, hidden: true, required: true, .password(PasswordFieldOptions(min: 8))),
            field(
                "tokenKey", system: true, hidden: true, required: true,
                .text(TextFieldOptions(min: 30, max: 60, autogeneratePattern: "[a-zA-Z0-9]{50}"))),
            field("email", system: true, required: true, .email(EmailFieldOptions())),
            field("emailVisibility", system: true, .bool(BoolFieldOptions())),
            field("verified", system: true, .bool(BoolFieldOptions())),
        ]
    }

    /// The unique indexes an auth collection must have on `tokenKey` and `email`.
    public static func authIndexes(collectionID: String, collectionName: String) -> [String] {
        [
            "CREATE UNIQUE INDEX `" + indexName("tokenKey", collectionID) + "` ON `" + collectionName + "` (`tokenKey`)",
            "CREATE UNIQUE INDEX `" + indexName("email", collectionID) + "` ON `" + collectionName
                + "` (`email`) WHERE `email` != ''",
        ]
    }

    // MARK: - Built-in collections

    /// `_superusers`: a system auth collection, every rule null, 1-day tokens, fresh 50-character secrets.
    public static func superusers() -> CollectionModel {
        var collection = authCollection(id: superusersID, name: superusersName)
        collection.system = true
        collection.fields += [
            field("created", system: true, .autodate(AutodateFieldOptions(onCreate: true, onUpdate: false))),
            field("updated", system: true, .autodate(AutodateFieldOptions(onCreate: true, onUpdate: true))),
        ]
        collection.auth?.authTokenDuration = 86_400
        return collection
    }

    /// The default `users` collection: owner-only rules, anyone may sign up, `name` and `avatar` fields.
    public static func users() -> CollectionModel {
        let ownerRule = "id = @request.auth.id"
        var collection = authCollection(id: usersID, name: "users")
        collection.listRule = ownerRule
        collection.viewRule = ownerRule
        collection.createRule = ""
        collection.updateRule = ownerRule
        collection.deleteRule = ownerRule
        collection.fields += [
            field("name", .text(TextFieldOptions(max: 255))),
            field(
                "avatar",
                .file(
                    FileFieldOptions(
                        maxSelect: 1,
                        mimeTypes: ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"]))),
            field("created", .autodate(AutodateFieldOptions(onCreate: true, onUpdate: false))),
            field("updated", .autodate(AutodateFieldOptions(onCreate: true, onUpdate: true))),
        ]
        if case .object(var oauth2)? = collection.auth?.extra["oauth2"],
            case .object(var mapped)? = oauth2["mappedFields"]
        {
            mapped["name"] = "name"
            mapped["avatarURL"] = "avatar"
            oauth2["mappedFields"] = .object(mapped)
            collection.auth?.extra["oauth2"] = .object(oauth2)
        }
        return collection
    }

    /// Blank templates for `GET /api/collections/meta/scaffolds`, keyed `base`, `auth`, `view`: no name
    /// and no id, system fields included, the auth indexes named with a random suffix.
    public static func scaffolds() -> [String: CollectionModel] {
        let suffix = RandomString.make(length: 10, alphabet: RandomString.lowercaseAlphanumeric)
        var auth = authCollection(id: suffix, name: "")
        auth.id = ""
        auth.auth?.authTokenSecret = ""
        auth.auth?.fileTokenSecret = ""
        return [
            "base": CollectionModel(name: "", type: .base, fields: [idField()]),
            "auth": auth,
            "view": CollectionModel(name: "", type: .view, viewQuery: ""),
        ]
    }

    /// A new auth collection as PocketBase's factory makes it: system fields, unique indexes, default
    /// options and fresh secrets.
    public static func authCollection(id: String, name: String) -> CollectionModel {
        var options = AuthCollectionOptions(
            authTokenSecret: newSecret(), fileTokenSecret: newSecret(), extra: defaultAuthExtra())
        options.fillMissingSecrets()
        return CollectionModel(
            id: id, name: name, type: .auth, fields: [idField()] + authSystemFields(),
            indexes: authIndexes(collectionID: id, collectionName: name), auth: options)
    }

    /// A fresh token secret: 50 characters of `[a-zA-Z0-9]`.
    public static func newSecret() -> String {
        RandomString.make(length: 50, alphabet: RandomString.alphanumeric)
    }

    // MARK: - Helpers

    static func field(
        _ name: String, system: Bool = false, hidden: Bool = false, required: Bool = false, _ options: FieldOptions
    ) -> FieldModel {
        FieldModel(
            id: Identifiers.fieldID(type: options.typeName, name: name), name: name, system: system, hidden: hidden,
            required: required, options: options)
    }

    /// `idx_<field>_<collection id>`, at most 64 characters.
    private static func indexName(_ field: String, _ collectionID: String) -> String {
        String(("idx_" + field + "_" + collectionID).prefix(64))
    }
}

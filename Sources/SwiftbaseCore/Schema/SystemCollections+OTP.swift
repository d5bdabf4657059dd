extension SystemCollections {
    public static let otpsName = "_otps"
    /// As PocketBase names it: `pbc_` + CRC32 of `base_otps`.
    public static let otpsID = Identifiers.collectionID(type: .base, name: otpsName)
    public static let mfasName = "_mfas"
    public static let mfasID = Identifiers.collectionID(type: .base, name: mfasName)

    /// `_otps`: one-time passwords sent by mail. The code is stored as a bcrypt hash (cost 8: short-lived and
    /// rate limited, so a low cost is enough); `sentTo` records where it went, so a successful login can mark
    /// that address verified.
    public static func otps() -> CollectionModel {
        authRecordReferences(
            id: otpsID, name: otpsName,
            fields: [
                field("password", system: true, hidden: true, required: true, .password(PasswordFieldOptions(cost: 8))),
                field("sentTo", system: true, hidden: true, .text(TextFieldOptions())),
            ])
    }

    /// `_mfas`: multi-factor sessions. A first successful method leaves one here (with the method's name); a
    /// second, different method within `mfa.duration` spends it and completes the login.
    public static func mfas() -> CollectionModel {
        authRecordReferences(
            id: mfasID, name: mfasName,
            fields: [field("method", system: true, required: true, .text(TextFieldOptions()))])
    }

    /// The system collections whose entries belong to one auth record and are deleted with it.
    public static var authRecordReferenceIDs: [String] { [mfasID, otpsID, externalAuthsID, authOriginsID] }

    public static let externalAuthsName = "_externalAuths"
    public static let externalAuthsID = Identifiers.collectionID(type: .base, name: externalAuthsName)
    public static let authOriginsName = "_authOrigins"
    public static let authOriginsID = Identifiers.collectionID(type: .base, name: authOriginsName)

    /// `_externalAuths`: an auth record's links to OAuth2 accounts (`provider` + `providerId`), one per provider;
    /// its owner may list, view and unlink them (the SDKs' `listExternalAuths`, `unlinkExternalAuth`).
    public static func externalAuths() -> CollectionModel {
        authRecordReferences(
            id: externalAuthsID, name: externalAuthsName,
            fields: [
                field("provider", system: true, required: true, .text(TextFieldOptions())),
                field("providerId", system: true, required: true, .text(TextFieldOptions())),
            ],
            ownerMayDelete: true,
            indexes: [
                "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (`collectionRef`, `recordRef`, `provider`)",
                "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (`collectionRef`, `provider`, `providerId`)",
            ])
    }

    /// `_authOrigins`: where an auth record has logged in from (a fingerprint of address and user agent), so a
    /// login from a new one can be mailed to its owner (`authAlert`); its owner may list, view and forget them.
    public static func authOrigins() -> CollectionModel {
        authRecordReferences(
            id: authOriginsID, name: authOriginsName,
            fields: [field("fingerprint", system: true, required: true, .text(TextFieldOptions()))],
            ownerMayDelete: true,
            indexes: [
                "CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (`collectionRef`, `recordRef`, `fingerprint`)"
            ])
    }

    /// A system collection of entries that belong to one auth record (`collectionRef` + `recordRef`, indexed
    /// together unless `indexes` says otherwise), which their owner may list and view (and delete, when
    /// `ownerMayDelete`), as PocketBase defines `_otps`, `_mfas`, `_externalAuths` and `_authOrigins`.
    private static func authRecordReferences(
        id: String, name: String, fields: [FieldModel], ownerMayDelete: Bool = false, indexes: [String]? = nil
    ) -> CollectionModel {
        let ownerRule =
            "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId"
        let references = [
            field("collectionRef", system: true, required: true, .text(TextFieldOptions())),
            field("recordRef", system: true, required: true, .text(TextFieldOptions())),
        ]
        let timestamps = [
            field("created", system: true, .autodate(AutodateFieldOptions(onCreate: true, onUpdate: false))),
            field("updated", system: true, .autodate(AutodateFieldOptions(onCreate: true, onUpdate: true))),
        ]
        let indexName = "idx" + name + "_collectionRef_recordRef"
        var collection = CollectionModel(
            id: id, name: name, type: .base, system: true, listRule: ownerRule, viewRule: ownerRule,
            fields: [idField()] + references + fields + timestamps,
            indexes: indexes ?? ["CREATE INDEX `\(indexName)` ON `\(name)` (`collectionRef`, `recordRef`)"])
        if ownerMayDelete { collection.deleteRule = ownerRule }
        return collection
    }
}

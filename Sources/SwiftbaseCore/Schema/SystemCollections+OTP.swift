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

    /// A system collection of entries that belong to one auth record (`collectionRef` + `recordRef`, indexed
    /// together), which their owner may list and view, as PocketBase defines `_otps` and `_mfas`.
    private static func authRecordReferences(id: String, name: String, fields: [FieldModel]) -> CollectionModel {
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
        return CollectionModel(
            id: id, name: name, type: .base, system: true, listRule: ownerRule, viewRule: ownerRule,
            fields: [idField()] + references + fields + timestamps,
            indexes: ["CREATE INDEX `\(indexName)` ON `\(name)` (`collectionRef`, `recordRef`)"])
    }
}

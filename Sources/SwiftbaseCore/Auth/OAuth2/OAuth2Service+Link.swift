import Foundation
import Logging

extension OAuth2Service {
    static let system = RequestInfo(auth: .system, method: "POST")

    /// PocketBase's linking rules. The record is the one an `_externalAuths` link names; else the requester's
    /// own record of this collection; else the record with the account's verified email; else a new record
    /// (from `createData`, the email and the `mappedFields`). An existing unverified record gets a new random
    /// password unless it is the requester (so a pre-created account cannot be hijacked), loses its other
    /// links, takes the account's email when it has none, and becomes verified when the emails match.
    func link(
        _ user: OAuth2User, provider: String, options: OAuth2Options, collection: CollectionModel,
        form: SignIn, request: RequestInfo
    ) async throws -> (record: RecordModel, meta: JSONValue) {
        var existingLink = try await findLink(collection: collection.id, provider: provider, providerId: user.id)
        var record: RecordModel?
        if let existingLink, let recordId = existingLink.values["recordRef"]?.stringValue {
            guard let linked = try await auth.findRecord(id: recordId, in: collection) else {
                throw SwiftbaseError.notFound()
            }
            record = linked
        } else if let own = request.auth.record, own.collectionId == collection.id {
            record = own
        } else if !user.email.isEmpty {
            record = try await auth.findRecord(email: user.email, in: collection)
        }
        let isNew = record == nil
        let newLink = { (recordId: String) in
            RecordInput([
                "collectionRef": .string(collection.id), "recordRef": .string(recordId),
                "provider": .string(provider), "providerId": .string(user.id),
            ])
        }
        guard let record else {
            let created = try await create(user, options: options, collection: collection, form: form, request: request)
            do {
                _ = try await records.create(in: SystemCollections.externalAuthsID, input: newLink(created.id), request: Self.system)
            } catch {
                // No account without its link: the sign-up is undone.
                try? await records.delete(in: collection.id, id: created.id, request: Self.system)
                throw error
            }
            return (created, user.meta(isNew: true))
        }
        // The record's changes, the links it loses and its new link commit together.
        var writes: [RecordWrite] = []
        let changes = changes(to: record, user: user, collection: collection, request: request)
        if !changes.isEmpty {
            writes.append(
                try await records.prepareUpdate(in: collection.id, id: record.id, input: RecordInput(changes), request: Self.system))
        }
        if record.values["verified"]?.boolValue != true {
            // An unverified record keeps at most this one link.
            for id in try await linkIDs(of: record, in: collection) {
                writes.append(try await records.prepareDelete(in: SystemCollections.externalAuthsID, id: id, request: Self.system))
            }
            existingLink = nil
        }
        if existingLink == nil {
            writes.append(
                try await records.prepareCreate(in: SystemCollections.externalAuthsID, input: newLink(record.id), request: Self.system))
        }
        let results: [RecordModel?]
        do {
            results = try await records.performBatch(writes)
        } catch let failure as RecordBatchFailure {
            throw failure.error
        }
        let linked = changes.isEmpty ? record : results.first.flatMap { $0 } ?? record
        return (linked, user.meta(isNew: isNew))
    }

    /// What an existing record needs before it signs in (see `link`): a new password, the account's email,
    /// the verified flag.
    private func changes(to record: RecordModel, user: OAuth2User, collection: CollectionModel, request: RequestInfo)
        -> [String: JSONValue]
    {
        var changes: [String: JSONValue] = [:]
        let verified = record.values["verified"]?.boolValue ?? false
        let isRequester = request.auth.record?.id == record.id && request.auth.record?.collectionId == collection.id
        if !isRequester && !verified {
            let password = RandomString.make(length: 30, alphabet: RandomString.alphanumeric)
            changes["password"] = .string(password)
            changes["passwordConfirm"] = .string(password)
        }
        var email = record.values["email"]?.stringValue ?? ""
        if email.isEmpty && !user.email.isEmpty {
            email = user.email
            changes["email"] = .string(email)
        }
        if !verified && (email.isEmpty || email == user.email) { changes["verified"] = true }
        return changes
    }

    private func create(
        _ user: OAuth2User, options: OAuth2Options, collection: CollectionModel, form: SignIn, request: RequestInfo
    ) async throws -> RecordModel {
        guard collection.id != SystemCollections.superusersID else {
            throw SwiftbaseError.badRequest("Failed to authenticate.")
        }
        var payload = form.createData
        if (payload["email"]?.stringValue ?? "").isEmpty { payload["email"] = .string(user.email) }
        for (key, value) in [("id", user.id), ("name", user.name)] {
            if let field = options.mappedField(key), payload[field] == nil { payload[field] = .string(value) }
        }
        if let field = options.mappedField("username"), payload[field] == nil,
            canAssign(username: user.username, to: field, in: collection)
        {
            payload[field] = .string(user.username)
        }
        var files: [String: [FileUpload]] = [:]
        if let field = options.mappedField("avatarURL"), payload[field] == nil, !user.avatarURL.isEmpty {
            if collection.fields.first(where: { $0.name == field })?.type == "file" {
                do {
                    files[field] = [try await transport.downloadPublicFile(user.avatarURL, limit: Self.avatarLimit)]
                } catch {
                    logger.warning("Failed to retrieve OAuth2 avatar", metadata: ["sb.error": "\(error)"])
                }
            } else {
                payload[field] = .string(user.avatarURL)
            }
        }
        if payload["password"] == nil {
            let password = RandomString.make(length: 30, alphabet: RandomString.alphanumeric)
            payload["password"] = .string(password)
            payload["passwordConfirm"] = .string(password)
        }
        var createRequest = request
        createRequest.method = "POST"
        createRequest.context = "oauth2"
        createRequest.body = payload
        var created = try await records.create(
            in: collection.id, input: RecordInput(payload, files: files), request: createRequest)
        if created.values["email"]?.stringValue ?? "" == user.email && created.values["verified"]?.boolValue != true {
            created = try await records.update(
                in: collection.id, id: created.id, input: RecordInput(["verified": true]), request: Self.system)
        }
        return created
    }

    /// PocketBase's check before it maps a provider username: the field exists and a text field's own rules
    /// (length, pattern) accept the value. PocketBase 0.40.6 also means to skip a username a unique index
    /// already holds, but its check never finds one (observed: the sign-up fails with `validation_not_unique`),
    /// so none is made here either.
    private func canAssign(username: String, to fieldName: String, in collection: CollectionModel) -> Bool {
        guard let field = collection.fields.first(where: { $0.name == fieldName }) else { return false }
        if case .text(let text) = field.options, text.validate(text: username, required: field.required) != nil {
            return false
        }
        return true
    }

    // MARK: - `_externalAuths`

    private func findLink(collection: String, provider: String, providerId: String) async throws -> RecordModel? {
        guard let links = records.registry.snapshot.collection(SystemCollections.externalAuthsID) else { return nil }
        let query = SQLFragment(
            unsafeRaw:
                #"SELECT * FROM "_externalAuths" WHERE "collectionRef" = ? AND "provider" = ? AND "providerId" = ? LIMIT 1"#,
            arguments: [.text(collection), .text(provider), .text(providerId)])
        return try await records.store.read { conn in
            try conn.rows(query).first.map { RecordRow.record(from: $0, in: links) }
        }
    }

    private func linkIDs(of record: RecordModel, in collection: CollectionModel) async throws -> [String] {
        let query = SQLFragment(
            unsafeRaw: #"SELECT "id" FROM "_externalAuths" WHERE "collectionRef" = ? AND "recordRef" = ?"#,
            arguments: [.text(collection.id), .text(record.id)])
        return try await records.store.read { conn in try conn.rows(query).compactMap { $0["id"]?.textValue } }
    }
}

extension RecordService {
    /// Updates a record: the update rule is checked against the stored row (plain fields are old values,
    /// `@request.body.*` the new ones); a record the requester may not update is reported as missing.
    public func update(
        in collectionIDOrName: String, id: String, input: RecordInput, request: RequestInfo
    ) async throws -> RecordModel {
        try await perform(prepareUpdate(in: collectionIDOrName, id: id, input: input, request: request))!
    }

    /// The update, prepared for a transaction (see `RecordWrite`). The record is loaded again inside it.
    public func prepareUpdate(
        in collectionIDOrName: String, id: String, input: RecordInput, request: RequestInfo
    ) async throws -> RecordWrite {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let auth = request.auth
        if collection.updateRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .update) }
        let failure = "Failed to update record."
        let input = try await hooks.runRequest(.update, collection: collection, recordId: id, input: input, request: request)

        // Auth checks that need the stored password hash run before the transaction (bcrypt is slow), and only
        // when the input touches the password, email or verified state: otherwise there is nothing to check, and
        // the record may be one a batch created a moment ago, not committed yet (the transaction finds it).
        var authInput = AuthRecordInput.none
        if let passwordField = collection.fields.first(where: { $0.type == "password" }),
            !Set(input.values.keys).isDisjoint(with: [passwordField.name, "passwordConfirm", "oldPassword", "email", "verified"])
        {
            let existing = try await store.read { conn in
                try conn.row(Self.selectByID(id, collection)).map { RecordRow.storedRecord(from: $0, in: collection) }
            }
            if existing == nil, auth.isSuperuser {
                // Not committed, perhaps created earlier in this batch. A superuser manages every record, so no
                // check needs the stored one: hash the new password now; the transaction finds the record or 404s.
                authInput = try await AuthRecordInput.prepare(
                    input, existing: Self.zeroRecord(collection), collection: collection, isManager: true,
                    passwords: passwords, failure: failure)
            } else {
                guard let existing else { throw SwiftbaseError.notFound() }
                // A record the requester may not update is missing to them, before any password or email check
                // could say otherwise (the rule is checked again, authoritatively, in the transaction).
                if !auth.isSuperuser, let rule = collection.updateRule,
                    try await !matches(rule, record: existing, collection: collection, request: request)
                {
                    throw SwiftbaseError.notFound().audited("rule.denied", target: "\(collection.name)/\(id)")
                }
                let isManager = try await manages(existing, in: collection, request: request)
                authInput = try await AuthRecordInput.prepare(
                    input, existing: existing, collection: collection, isManager: isManager, passwords: passwords,
                    failure: failure)
            }
        }
        let preparedAuth = authInput
        let filePlan = RecordFiles.plan(input, collection: collection, auth: auth)
        // Uploads that will be in the record whatever it holds now: on a single-file field only the last.
        var probe = Self.zeroRecord(collection)
        probe.values["id"] = .string(id)
        RecordFiles.apply(filePlan, to: &probe, input: RecordInput([:]), collection: collection)
        let staged = try await stage(filePlan, in: probe, collection: collection, unless: !filePlan.errors.isEmpty, failure: failure)
        return RecordWrite(failure: failure, staged: staged) { [hooks] conn in
            guard let row = try conn.row(Self.selectByID(id, collection)) else { throw SwiftbaseError.notFound() }
            let existing = RecordRow.storedRecord(from: row, in: collection)
            var record = existing
            var ruleBody = RecordInputApplier.apply(input, to: &record, collection: collection, auth: auth)
            if record.id != existing.id {
                throw SwiftbaseError.validation(failure, .items(["id": .pkChange]))
            }
            let emailChanged = collection.isAuth && record.values["email"] != existing.values["email"]
            preparedAuth.apply(to: &record, ruleBody: &ruleBody, collection: collection, emailChanged: emailChanged)
            Self.fillGenerated(&record, collection: collection, isNew: false)
            RecordFiles.apply(filePlan, to: &record, input: input, collection: collection)
            for name in filePlan.fieldNames { ruleBody[name] = record.values[name] }
            var event = RecordWriteEvent(
                action: .update, collection: collection, record: record, original: existing, request: request,
                connection: conn, failure: failure)
            try hooks.runWrite(&event)
            record = event.record
            if record.id != existing.id {
                throw SwiftbaseError.validation(failure, .items(["id": .pkChange]))
            }
            let fileErrors = filePlan.errors.merging(
                RecordFiles.invalidNames(record, previous: existing, plan: filePlan, collection: collection)) { a, _ in a }
            try Self.validate(
                record, collection: collection, schema: schema, on: conn, failure: failure,
                known: preparedAuth.fieldErrors.merging(fileErrors) { a, _ in a })
            if !auth.isSuperuser, let rule = collection.updateRule {
                var ruleRequest = request
                ruleRequest.body = ruleBody.merging(preparedAuth.ruleBody) { a, _ in a }
                try Self.requireRule(rule, on: id, collection: collection, schema: schema, request: ruleRequest, conn: conn)
            }
            try conn.execute(RecordRow.update(record, in: collection))
            if let layout = TimeSeriesLayout(collection) {
                let touched = [existing, record].compactMap { TimeSeriesRollups.point($0, layout: layout) }
                try TimeSeriesRollups.recompute(touched, layout: layout, on: conn)
                return RecordWriteResult(record: record, entries: [])
            }
            let output = RecordEncoder.json(record, collection: collection, auth: .superuserSystem)
            var entries = [try ChangeLog.append(.update, record: record, recordJSON: output, actor: auth.record?.id ?? "", on: conn)]
            if collection.isAuth, preparedAuth.passwordHash != nil {
                // A new password forgets where the old one was used (PocketBase: no login alert is owed for them).
                try Self.deleteAuthOrigins(
                    of: record, collection: collection, context: DeleteContext(schema: schema, hooks: hooks, request: request),
                    on: conn, entries: &entries)
            }
            return RecordWriteResult(
                record: Self.withoutSecrets(record, collection: collection), entries: entries,
                removedFiles: RecordFiles.removed(from: existing, to: record, collection: collection))
        }
    }

    /// Throws 404 unless the record `id` satisfies `rule` for the request.
    static func requireRule(
        _ rule: String, on id: String, collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo,
        conn: any StoreConnection
    ) throws {
        guard let check = try storedRecordCheck(rule, id: id, collection: collection, schema: schema, request: request)
        else { return }
        guard try conn.row(check) != nil else {
            throw SwiftbaseError.notFound().audited("rule.denied", target: "\(collection.name)/\(id)")
        }
    }

    static func selectByID(_ id: String, _ collection: CollectionModel) -> SQLFragment {
        SQLFragment(
            unsafeRaw: "SELECT * FROM \(quoteIdentifier(collection.name)) WHERE \"id\" = ? LIMIT 1",
            arguments: [.text(id)])
    }
}

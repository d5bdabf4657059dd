/// The uploads of one create or update, decided before its transaction: the name each file is stored
/// under, which body key it came with (`f` replaces, `+f` prepends, `f+` appends), the size and type
/// errors, and the files to write. Only files that end up in the record are written: on a single-file
/// field the last upload wins.
struct RecordFilePlan: Sendable {
    struct Upload: Sendable {
        let storedName: String
        let data: [UInt8]
    }

    var replace: [String: [Upload]] = [:]
    var prepend: [String: [Upload]] = [:]
    var append: [String: [Upload]] = [:]
    var errors: [String: ErrorItem] = [:]

    /// The fields that received uploads.
    var fieldNames: Set<String> { Set(replace.keys).union(prepend.keys).union(append.keys) }

    var uploadedNames: Set<String> {
        Set([replace, prepend, append].flatMap { $0.values.flatMap { $0.map(\.storedName) } })
    }

    static let none = RecordFilePlan()
}

enum RecordFiles {
    /// Reads the body's file parts for the collection's file fields (parts for other keys are ignored).
    static func plan(_ input: RecordInput, collection: CollectionModel, auth: AuthContext) -> RecordFilePlan {
        var plan = RecordFilePlan()
        guard !input.files.isEmpty else { return plan }
        for field in collection.fields {
            guard case .file(let options) = field.options, !field.hidden || auth.isSuperuser else { continue }
            let keyed: [(String, WritableKeyPath<RecordFilePlan, [String: [RecordFilePlan.Upload]]>)] = [
                (field.name, \.replace), ("+" + field.name, \.prepend), (field.name + "+", \.append),
            ]
            for (key, slot) in keyed {
                guard let uploads = input.files[key], !uploads.isEmpty else { continue }
                for upload in uploads {
                    let stored = StoredFileName.make(for: upload.originalName, data: upload.data)
                    if plan.errors[field.name] == nil, let problem = problem(upload, stored: stored, options: options) {
                        plan.errors[field.name] = problem
                    }
                    plan[keyPath: slot][field.name, default: []].append(.init(storedName: stored, data: upload.data))
                }
            }
        }
        return plan
    }

    private static func problem(_ upload: FileUpload, stored: String, options: FileFieldOptions) -> ErrorItem? {
        if upload.data.count > options.effectiveMaxSize {
            return ErrorItem(
                "validation_file_size_limit",
                "Failed to upload \(upload.originalName) - the maximum allowed file size is \(options.effectiveMaxSize) bytes.",
                params: ["file": .string(upload.originalName), "maxSize": .number(Double(options.effectiveMaxSize))])
        }
        let allowed = options.mimeTypes.map { $0.lowercased() }
        if !allowed.isEmpty, !allowed.contains(ContentSniffer.essence(ContentSniffer.mediaType(of: upload.data))) {
            return ErrorItem(
                "validation_invalid_mime_type",
                "\"\(stored)\" mime type must be one of: \(options.mimeTypes.joined(separator: ", ")).")
        }
        return nil
    }

    /// Puts the planned names into the record, after the plain keys and modifiers were applied: uploads under
    /// the plain key replace the list (names sent as values under that key stay first), `+f` prepends, `f+`
    /// appends; a single-file field takes the last upload.
    static func apply(_ plan: RecordFilePlan, to record: inout RecordModel, input: RecordInput, collection: CollectionModel) {
        for field in collection.fields {
            guard case .file(let options) = field.options else { continue }
            let replace = plan.replace[field.name]?.map(\.storedName)
            let prepend = plan.prepend[field.name]?.map(\.storedName) ?? []
            let append = plan.append[field.name]?.map(\.storedName) ?? []
            guard replace != nil || !prepend.isEmpty || !append.isEmpty else { continue }
            var names = FileFieldOptions.fileNames(record.values[field.name] ?? .null)
            if let replace {
                names = (input.values[field.name] == nil ? [] : names) + replace
            }
            names = prepend + names + append
            if !options.isMultiple, let last = (append.last ?? prepend.last ?? replace?.last) { names = [last] }
            record.values[field.name] = options.prepare(.array(names.map { .string($0) }), for: field)
        }
    }

    /// The planned files that end up in the record, with their storage paths.
    static func files(of plan: RecordFilePlan, in record: RecordModel, collection: CollectionModel) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        for field in collection.fields {
            guard case .file = field.options else { continue }
            let kept = Set(FileFieldOptions.fileNames(record.values[field.name] ?? .null))
            for upload in (plan.replace[field.name] ?? []) + (plan.prepend[field.name] ?? []) + (plan.append[field.name] ?? [])
            where kept.contains(upload.storedName) {
                out.append((path(collection, record.id, upload.storedName), upload.data))
            }
        }
        return out
    }

    /// Names a client may not introduce: every new name must have been uploaded now.
    static func invalidNames(
        _ record: RecordModel, previous: RecordModel?, plan: RecordFilePlan, collection: CollectionModel
    ) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        let uploaded = plan.uploadedNames
        for field in collection.fields {
            guard case .file(let options) = field.options else { continue }
            if let problem = options.invalidNewFiles(
                in: record.values[field.name] ?? .null, previous: previous?.values[field.name] ?? .null, uploaded: uploaded)
            {
                errors[field.name] = problem
            }
        }
        return errors
    }

    /// Files (and their thumbs) the update dropped from the record, to remove after commit.
    static func removed(from old: RecordModel, to new: RecordModel, collection: CollectionModel) -> [String] {
        var out: [String] = []
        for field in collection.fields {
            guard case .file = field.options else { continue }
            let kept = Set(FileFieldOptions.fileNames(new.values[field.name] ?? .null))
            for name in FileFieldOptions.fileNames(old.values[field.name] ?? .null) where !kept.contains(name) {
                out.append(path(collection, old.id, name))
                out.append(path(collection, old.id, "thumbs_" + name))
            }
        }
        return out
    }

    static func path(_ collection: CollectionModel, _ recordID: String, _ name: String) -> String {
        collection.id + "/" + recordID + "/" + name
    }

    static func hasFiles(_ collection: CollectionModel) -> Bool {
        collection.fields.contains { if case .file = $0.options { true } else { false } }
    }
}

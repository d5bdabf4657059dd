/// The auth-collection parts of a create or update body: `password` with `passwordConfirm` (and
/// `oldPassword` when a record changes its own password), `email` and `verified` that only superusers may
/// set directly. Form-level errors are reported alone, before field validation, as PocketBase does.
/// Password hashing happens here, before the write transaction, because bcrypt is slow.
struct AuthRecordInput {
    var passwordHash: String?
    var ruleBody: [String: JSONValue] = [:]
    /// A password that fails its field's constraints is reported with the other field errors, not alone.
    var fieldErrors: [String: ErrorItem] = [:]

    static let none = AuthRecordInput(passwordHash: nil)

    static func prepare(
        _ input: RecordInput, existing: RecordModel?, collection: CollectionModel, isManager: Bool,
        passwords: any PasswordHasher, failure: String
    ) async throws -> AuthRecordInput {
        guard let passwordField = collection.fields.first(where: { $0.type == "password" }) else { return .none }
        var errors: [String: ErrorItem] = [:]
        if collection.isAuth, !isManager {
            if existing == nil, input.values["verified"]?.boolValue == true {
                errors["verified"] = .valuesMismatch
            }
            if let existing {
                if let email = input.values["email"]?.stringValue, email != existing.values["email"]?.stringValue {
                    errors["email"] = .valuesMismatch
                }
                if let verified = input.values["verified"]?.boolValue, verified != existing.values["verified"]?.boolValue {
                    errors["verified"] = .valuesMismatch
                }
            }
        }
        let password = Self.text(input.values[passwordField.name])
        var result = AuthRecordInput(passwordHash: nil)
        if collection.isAuth {
            // PocketBase's form rules: a new record needs both; either one (or an old password) sent needs the
            // other; they must match; a record changing its own password proves the old one.
            let (sent, confirm) = (password ?? "", Self.text(input.values["passwordConfirm"]) ?? "")
            let old = Self.text(input.values["oldPassword"]) ?? ""
            let isNew = existing == nil
            if sent.isEmpty, isNew || !confirm.isEmpty || !old.isEmpty { errors[passwordField.name] = .required }
            if confirm.isEmpty, isNew || !sent.isEmpty || !old.isEmpty {
                errors["passwordConfirm"] = .required
            } else if confirm != sent {
                errors["passwordConfirm"] = .valuesMismatch
            }
            if let existing, !isManager, !sent.isEmpty || !confirm.isEmpty {
                if old.isEmpty {
                    errors["oldPassword"] = .required
                } else if !(try await passwords.verify(old, hash: existing.values[passwordField.name]?.stringValue ?? "")) {
                    errors["oldPassword"] = ErrorItem("validation_invalid_old_password", "Missing or invalid old password.")
                }
            }
        }
        if let password {
            if errors.isEmpty {
                if let problem = passwordField.options.behavior.validate(.string(password), for: passwordField) {
                    result.fieldErrors[passwordField.name] = problem
                    return result
                }
                let cost: Int
                if case .password(let o) = passwordField.options { cost = o.cost } else { cost = 0 }
                result.passwordHash = try await passwords.hash(password, cost: cost)
                result.ruleBody[passwordField.name] = .string(password)
            }
        } else if existing == nil, passwordField.required {
            result.fieldErrors[passwordField.name] = .required
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(failure, .items(errors)) }
        return result
    }

    /// Stores the hash and, when the password or email changed, a new `tokenKey` (every old token dies).
    /// Superusers are always verified, as in PocketBase, whatever the body says.
    func apply(to record: inout RecordModel, ruleBody: inout [String: JSONValue], collection: CollectionModel,
        emailChanged: Bool = false)
    {
        if collection.id == SystemCollections.superusersID { record.values["verified"] = true }
        guard let passwordField = collection.fields.first(where: { $0.type == "password" }) else { return }
        if let passwordHash {
            record.values[passwordField.name] = .string(passwordHash)
        }
        if collection.isAuth, passwordHash != nil || emailChanged || (record.values["tokenKey"]?.stringValue ?? "").isEmpty {
            record.values["tokenKey"] = .string(Identifiers.randomString(length: 50))
        }
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s): s
        case .number(let d): JSONValue.number(d).jsonString
        default: nil
        }
    }
}

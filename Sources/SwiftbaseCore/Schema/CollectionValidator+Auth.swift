/// The auth options part of collection validation: rules that must stay as a system collection had them,
/// token settings, identity fields backed by a unique index and enough methods for MFA.
enum AuthOptionsValidation {
    /// ~3 years, PocketBase's longest token duration.
    static let maxTokenDuration = 94_670_856

    static func validate(
        _ auth: AuthCollectionOptions, collection: CollectionModel, previous: CollectionModel?,
        into collectionErrors: inout ErrorTree
    ) {
        var errors = ErrorTree()
        defer { collectionErrors.merge(errors, under: nil) }
        let old = previous?.auth
        let systemUpdate = previous?.system == true
        if systemUpdate, auth.authRule != old?.authRule { errors["authRule"] = .systemRuleChange }
        if let manageRule = auth.manageRule, manageRule.isEmpty {
            errors["manageRule"] = .nilOrNotEmpty
        } else if systemUpdate, auth.manageRule != old?.manageRule {
            errors["manageRule"] = .systemRuleChange
        }
        token(auth.authTokenSecret, auth.authTokenDuration, key: "authToken", into: &errors)
        token(auth.fileTokenSecret, auth.fileTokenDuration, key: "fileToken", into: &errors)
        for key in ["passwordResetToken", "emailChangeToken", "verificationToken"] {
            if let duration = auth.extra[key]?["duration"]?.doubleValue {
                durationProblem(Int(exactly: duration) ?? -1, key: key + ".duration", into: &errors)
            }
        }
        for key in ["verificationTemplate", "resetPasswordTemplate", "confirmEmailChangeTemplate"] {
            for part in ["subject", "body"] where (auth.extra[key]?[part]?.stringValue ?? "").isEmpty {
                errors[key + "." + part] = .required
            }
        }
        OAuth2OptionsValidation.validate(auth.extra["oauth2"], into: &errors)
        if errors.isEmpty { crossChecks(auth, collection: collection, into: &errors) }
    }

    private static func token(_ secret: String, _ duration: Int, key: String, into errors: inout ErrorTree) {
        if secret.isEmpty {
            errors[key + ".secret"] = .required
        } else if !(30...255).contains(secret.utf8.count) {
            errors[key + ".secret"] = .length(min: 30, max: 255)
        }
        durationProblem(duration, key: key + ".duration", into: &errors)
    }

    private static func durationProblem(_ duration: Int, key: String, into errors: inout ErrorTree) {
        if duration == 0 {
            errors[key] = .required
        } else if duration < 10 {
            errors[key] = .noLessThan(10)
        } else if duration > maxTokenDuration {
            errors[key] = .noGreaterThan(Double(maxTokenDuration))
        }
    }

    /// Run only when every option is valid on its own, as PocketBase does.
    private static func crossChecks(_ auth: AuthCollectionOptions, collection: CollectionModel, into errors: inout ErrorTree) {
        let mfaEnabled = auth.extra["mfa"]?["enabled"]?.boolValue ?? false
        if mfaEnabled {
            let methods = [
                auth.passwordAuthEnabled, auth.extra["oauth2"]?["enabled"]?.boolValue ?? false,
                auth.extra["otp"]?["enabled"]?.boolValue ?? false,
            ].filter { $0 }.count
            if methods < 2 {
                errors["mfa.enabled"] = ErrorItem(
                    "validation_mfa_not_enough_auths", "MFA requires at least 2 auth methods to be enabled.")
                return
            }
        }
        guard auth.passwordAuthEnabled else { return }
        let identityFields = GoCast.nonzeroUniques(auth.passwordIdentityFields)
        if identityFields.isEmpty {
            errors["passwordAuth.identityFields"] = .required
            return
        }
        let indexes = collection.indexes.compactMap { IndexDefinition(parsing: $0) }
        for name in identityFields {
            guard collection.fields.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                errors["passwordAuth.identityFields"] = ErrorItem(
                    "validation_missing_field", "Invalid or missing field \(name).", params: ["fieldName": .string(name)])
                return
            }
            let unique = indexes.contains {
                $0.unique && $0.columns.count == 1 && $0.columns[0].name.lowercased() == name.lowercased()
            }
            if !unique {
                errors["passwordAuth.identityFields"] = ErrorItem(
                    "validation_missing_unique_constraint", "The field \(name) doesn't have a UNIQUE constraint.",
                    params: ["fieldName": .string(name)])
                return
            }
        }
    }
}

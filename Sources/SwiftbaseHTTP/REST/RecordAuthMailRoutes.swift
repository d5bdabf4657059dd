import Hummingbird
import SwiftbaseCore

/// The auth flows that go through the user's mailbox: verification, password reset, email change and
/// one-time passwords. The flows themselves live in `AccountService`; these routes read the forms and
/// answer 204 (or `{"otpId"}`, or an auth response) as PocketBase does.
struct RecordAuthMailRoutes {
    let services: HTTPServices
    let authRoutes: RecordAuthRoutes

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/collections/:collection")
        group.post("request-verification") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["requestVerification"])
            try await services.accounts.requestVerification(collection: name, email: try form.string("email"))
            return JSONResponse.noContent
        }
        group.post("confirm-verification") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["confirmVerification"])
            try await services.accounts.confirmVerification(collection: name, token: try form.string("token"))
            return JSONResponse.noContent
        }
        group.post("request-password-reset") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["requestPasswordReset"])
            try await services.accounts.requestPasswordReset(collection: name, email: try form.string("email"))
            return JSONResponse.noContent
        }
        group.post("confirm-password-reset") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["confirmPasswordReset"])
            try await services.accounts.confirmPasswordReset(
                collection: name, token: try form.string("token"), password: try form.string("password"),
                passwordConfirm: try form.string("passwordConfirm"))
            return JSONResponse.noContent
        }
        group.post("request-email-change") { request, context in
            try authRoutes.requireKnownCollection(context, request, tags: ["requestEmailChange"])
            try RecordAuthRoutes.requireSameCollectionAuth(context, services: services)
            let (name, form) = try await readForm(request, context, tags: [])
            try await services.accounts.requestEmailChange(
                collection: name, requester: context.auth, newEmail: try form.string("newEmail"))
            return JSONResponse.noContent
        }
        group.post("confirm-email-change") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["confirmEmailChange"])
            try await services.accounts.confirmEmailChange(
                collection: name, token: try form.string("token"), password: try form.string("password"))
            return JSONResponse.noContent
        }
        group.post("request-otp") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["requestOTP"])
            let id = try await services.accounts.requestOTP(collection: name, email: try form.string("email"))
            return try JSONResponse.object(["otpId": .string(id)], query: request.query)
        }
        group.post("auth-with-otp") { request, context in
            let (name, form) = try await readForm(request, context, tags: ["authWithOTP", "auth"])
            let record = try await services.accounts.authWithOTP(
                collection: name, otpId: try form.string("otpId"), password: try form.string("password"),
                clientIP: context.clientIP)
            let collection = try services.accounts.authCollection(name)
            return try await authRoutes.authResponse(
                record: record, collection: collection, request: request, requester: context.auth, method: .otp,
                mfaId: form.values["mfaId"]?.stringValue ?? "", remoteIP: context.clientIP)
        }
    }

    /// The auth collection's name from the path (checked first, so an unknown collection is a 404 whatever the
    /// body) and the decoded form.
    func readForm(_ request: Request, _ context: SwiftbaseRequestContext, tags: [String]) async throws
        -> (String, AuthForm)
    {
        var request = request
        try authRoutes.requireKnownCollection(context, request, tags: tags)
        let name = try RecordRoutes.collectionName(context)
        _ = try services.accounts.authCollection(name)
        let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
        return (name, AuthForm(values: body.values))
    }
}

/// The string fields of an auth form: absent is empty; any other JSON type cannot bind to a string, which
/// PocketBase reports as a loading error.
struct AuthForm {
    let values: [String: JSONValue]

    func string(_ key: String) throws -> String {
        switch values[key] {
        case nil, .null?: return ""
        case .string(let s)?: return s
        default: throw SwiftbaseError.badRequest(MalformedBodyMessage.form.rawValue)
        }
    }
}

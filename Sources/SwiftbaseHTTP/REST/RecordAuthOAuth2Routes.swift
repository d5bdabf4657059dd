import Hummingbird
import SwiftbaseCore
import SwiftbaseServices

/// OAuth2 sign-in: `POST /api/collections/{c}/auth-with-oauth2` (the code exchange and account linking, in
/// `OAuth2Service`) and `GET/POST /api/oauth2-redirect`, where the provider sends the browser back in the
/// all-in-one flow: the code goes to the realtime client named by `state` (on its `@oauth2` subscription) and
/// the browser to the dashboard's success or failure page, as PocketBase does.
struct RecordAuthOAuth2Routes {
    let services: HTTPServices
    let authRoutes: RecordAuthRoutes

    static let successPath = "../_/#/auth/oauth2-redirect-success"
    static let failurePath = "../_/#/auth/oauth2-redirect-failure"

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.post("/api/collections/:collection/auth-with-oauth2") { request, context in
            try authRoutes.requireKnownCollection(context, request, tags: ["authWithOAuth2", "auth"])
            var request = request
            let collection = try authRoutes.authCollection(context)
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            func text(_ key: String) -> String { body.values[key]?.stringValue ?? "" }
            let redirectURL = text("redirectURL").isEmpty ? text("redirectUrl") : text("redirectURL")
            var createData = body.values["createData"]?.objectValue ?? [:]
            if createData.isEmpty, let raw = body.values["createData"]?.stringValue, let parsed = try? JSONValue.parse(raw) {
                createData = parsed.objectValue ?? [:]  // a multipart form sends it as JSON text
            }
            let form = OAuth2Service.SignIn(
                provider: text("provider"), code: text("code"), codeVerifier: text("codeVerifier"),
                redirectURL: redirectURL, createData: createData)
            let (record, meta) = try await services.oauth2.signIn(
                form, collection: collection, request: request.requestInfo(auth: context.auth, context: "oauth2"))
            return try await authRoutes.authResponse(
                record: record, collection: collection, request: request, requester: context.auth, method: .oauth2,
                mfaId: body.values["mfaId"]?.stringValue ?? "", remoteIP: context.clientIP, meta: meta)
        }
        router.get("/api/oauth2-redirect") { request, context in
            let query = request.query
            return redirect(
                state: query["state"] ?? "", code: query["code"] ?? "", error: query["error"] ?? "", method: .get,
                remoteIP: context.clientIP)
        }
        router.post("/api/oauth2-redirect") { request, context in
            var request = request
            guard let body = try? await request.decodedBody(limit: services.maxBodySize, malformed: .form) else {
                return Self.redirectResponse(Self.failurePath, method: .post)
            }
            func text(_ key: String) -> String { body.values[key]?.stringValue ?? "" }
            return redirect(
                state: text("state"), code: text("code"), error: text("error"), method: .post,
                remoteIP: context.clientIP)
        }
    }

    private func redirect(state: String, code: String, error: String, method: HTTPRequest.Method, remoteIP: String)
        -> Response
    {
        guard !state.isEmpty else { return Self.redirectResponse(Self.failurePath, method: method) }
        var data: [String: JSONValue] = ["state": .string(state), "code": .string(code)]
        if !error.isEmpty { data["error"] = .string(error) }
        let delivered = services.realtime.deliverOAuth2Redirect(clientID: state, data: .object(data), remoteIP: remoteIP)
        let succeeded = delivered && error.isEmpty && !code.isEmpty
        return Self.redirectResponse(succeeded ? Self.successPath : Self.failurePath, method: method)
    }

    /// 307 for GET, 303 for a form POST (so the browser GETs the page).
    static func redirectResponse(_ location: String, method: HTTPRequest.Method) -> Response {
        Response(status: method == .get ? .temporaryRedirect : .seeOther, headers: [.location: location])
    }
}

public import Hummingbird
import HTTPTypes

/// Security headers on every response and CORS as PocketBase answers it (`--origins`, default `*`): every
/// `OPTIONS` request is answered here with a 204, whatever its path — as a preflight (the allowed origin and
/// methods, the requested headers echoed) when it names an `Origin`, bare otherwise — as PocketBase's CORS
/// middleware answers them; no route sees one.
public struct HeadersMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let allowedOrigins: [String]

    public init(allowedOrigins: [String] = ["*"]) {
        self.allowedOrigins = allowedOrigins
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options {
            var response = Response(status: .noContent)
            if origin == nil {
                response.headers[.vary] = "Origin"
            } else {
                applyCORS(to: &response.headers, origin: origin)
                response.headers[values: .vary] = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
                response.headers[.accessControlAllowMethods] = "GET,HEAD,PUT,PATCH,POST,DELETE"
                if let requested = request.headers[.accessControlRequestHeaders] {
                    response.headers[.accessControlAllowHeaders] = requested
                }
            }
            applySecurity(to: &response.headers)
            return response
        }
        var response = try await next(request, context)
        applyCORS(to: &response.headers, origin: origin)
        applySecurity(to: &response.headers)
        return response
    }

    private func applyCORS(to headers: inout HTTPFields, origin: String?) {
        if allowedOrigins.contains("*") {
            headers[.accessControlAllowOrigin] = "*"
        } else if let origin, allowedOrigins.contains(origin) {
            headers[.accessControlAllowOrigin] = origin
        }
        headers[.vary] = "Origin"
    }

    private func applySecurity(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        // File downloads opt out of framing protection, as PocketBase's do.
        if headers[.allowFraming] != nil {
            headers[.allowFraming] = nil
        } else if headers[.xFrameOptions] == nil {
            headers[.xFrameOptions] = "SAMEORIGIN"
        }
        headers[.xXSSProtection] = "1; mode=block"
        headers[.crossOriginOpenerPolicy] = "same-origin"
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xXSSProtection = HTTPField.Name("X-Xss-Protection")!
    static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    /// Set by a handler (never sent) to answer without `X-Frame-Options`.
    static let allowFraming = HTTPField.Name("X-Swiftbase-Allow-Framing")!
}

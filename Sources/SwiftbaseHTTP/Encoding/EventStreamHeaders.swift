import HTTPTypes

extension HTTPFields {
    /// The headers of a Server-Sent Events response: the type, no caching, and no buffering by a proxy
    /// (nginx's `X-Accel-Buffering`), so each event reaches the client when it is written.
    static var eventStream: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return headers
    }
}

public import NIOCore

/// One message for realtime clients: an event named after the subscription, carrying `data`, the JSON text of
/// `{"action", "record"}` with the subscription's `fields` projection applied. It is encoded once and shared
/// by every client with the same identity and subscription.
public struct RealtimeMessage: Sendable, Equatable {
    public let name: String
    public let data: String
    /// `event:<name>\ndata:<data>\n\n`, the message's Server-Sent Events form after each client's own `id:`
    /// line: made once here, then written to every SSE connection it reaches without a copy.
    public let event: ByteBuffer

    public init(name: String, data: String) {
        self.name = name
        self.data = data
        var event = ByteBuffer()
        event.reserveCapacity(name.utf8.count + data.utf8.count + 14)
        event.writeStaticString("event:")
        event.writeString(name)
        event.writeStaticString("\ndata:")
        event.writeString(data)
        event.writeStaticString("\n\n")
        self.event = event
    }
}

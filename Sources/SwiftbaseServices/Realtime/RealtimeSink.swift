public import NIOCore

/// A transport that writes a client's messages itself, on the event loop of the client's connection, instead
/// of draining the client's `messages` from a task of its own. The hub hands each event loop its share of a
/// change in one closure (`RealtimeLoopBatch`), so delivering an event costs a client one write and one flush
/// on a thread that is already running — no task to wake, no hop from that task to the loop.
///
/// Everything but `eventLoop` is called on `eventLoop` only.
public protocol RealtimeSink: Sendable {
    /// The event loop of the connection.
    var eventLoop: any EventLoop { get }
    /// Whether the connection takes more without holding it in memory (NIO's writability: the bytes waiting
    /// for the socket are under the channel's high-water mark).
    var isWritable: Bool { get }
    /// Writes one message, unflushed.
    func write(_ message: RealtimeMessage)
    /// Sends what `write` wrote since the last flush.
    func flush()
}

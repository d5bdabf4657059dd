import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A webhook receiver on 127.0.0.1 for tests: it reads whole HTTP/1.1 requests (framed by `Content-Length`) on
/// real sockets, keeps what it saw, and answers each as the test's script says — raw bytes, so tests can send
/// what a well-behaved client must cope with (a chunked body, `Connection: close`, no answer at all).
final class ScriptedReceiver: Sendable {
    enum Reply: Sendable {
        /// Writes these bytes and keeps the connection.
        case answer(String)
        /// Writes these bytes and closes.
        case answerAndClose(String)
        /// Closes without answering.
        case hangUp
        /// Never answers.
        case silence
    }

    struct Request: Sendable {
        /// Which accepted connection it came on (0, 1, …).
        var connection: Int
        var head: String
        var body: [UInt8]

        /// A header's value (the first with that name, any case).
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log: Log

    final class Log: Sendable {
        let requests = Mutex<[Request]>([])
        let connections = Atomic<Int>(0)
        let script: @Sendable (_ index: Int, _ request: Request) -> Reply

        init(script: @escaping @Sendable (Int, Request) -> Reply) { self.script = script }
    }

    /// Every request read so far, in order.
    var requests: [Request] { log.requests.withLock { $0 } }
    /// How many connections were accepted.
    var connections: Int { log.connections.load(ordering: .relaxed) }

    /// Starts listening; `script` answers the `index`-th request (counting from 0 over all connections).
    init(tls: NIOSSLContext? = nil, script: @escaping @Sendable (_ index: Int, _ request: Request) -> Reply) async throws {
        let log = Log(script: script)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let number = log.connections.wrappingAdd(1, ordering: .relaxed).oldValue
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.addHandler(RequestReader(log: log, connection: number))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.log = log
    }

    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class RequestReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let log: Log
        let connection: Int
        var pending: [UInt8] = []

        init(log: Log, connection: Int) {
            self.log = log
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += unwrapInboundIn(data).readableBytesView
            while let request = nextRequest() {
                let index = log.requests.withLock { requests in
                    requests.append(request)
                    return requests.count - 1
                }
                switch log.script(index, request) {
                case .answer(let text):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                case .answerAndClose(let text):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).assumeIsolated().whenComplete { _ in
                        context.close(promise: nil)
                    }
                case .hangUp:
                    context.close(promise: nil)
                    return
                case .silence:
                    break
                }
            }
        }

        /// The next whole request in `pending`, taken out of it.
        private func nextRequest() -> Request? {
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            guard let end = pending.indices.dropLast(3).first(where: { Array(pending[$0..<$0 + 4]) == separator }) else { return nil }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            var request = Request(connection: connection, head: head, body: [])
            let length = Int(request.header("content-length") ?? "0") ?? 0
            let bodyStart = end + 4
            guard pending.count >= bodyStart + length else { return nil }
            request.body = Array(pending[bodyStart..<bodyStart + length])
            pending.removeFirst(bodyStart + length)
            return request
        }
    }
}

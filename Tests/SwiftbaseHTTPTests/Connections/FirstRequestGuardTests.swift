import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import SwiftbaseHTTP

/// The guard in a real HTTP/1.1 server pipeline (NIO's decoder and encoder) on an `EmbeddedChannel`: bytes in,
/// bytes out, time advanced by hand.
@Suite struct FirstRequestGuardTests {
    final class Harness {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let registry: ConnectionRegistry

        init(maxConnections: Int = 10, occupied: Int = 0) throws {
            registry = ConnectionRegistry(maxConnections: maxConnections)
            for _ in 0..<occupied {
                let busy = EmbeddedChannel(loop: loop)
                _ = registry.admit(busy)
                registry.busy(busy)
            }
            channel = EmbeddedChannel(loop: loop)
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
            let admission = registry.admit(channel)
            try channel.pipeline.syncOperations.addHandler(
                FirstRequestGuard(registry: registry, admission: admission, headerTimeout: .seconds(30)))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        /// Feeds `bytes`; a decoder error surfaces through the pipeline, not as a throw here.
        func send(_ bytes: String) {
            _ = try? channel.writeInbound(ByteBuffer(string: bytes))
        }

        /// Everything the server wrote, as the bytes a client would read.
        func written() throws -> String {
            var out = ByteBuffer()
            while let part = try channel.readOutbound(as: ByteBuffer.self) { out.writeImmutableBuffer(part) }
            return String(buffer: out)
        }
    }

    @Test func aHeaderBlockOverTheLimitIsAnswered431AndClosed() throws {
        let harness = try Harness()
        harness.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n")
        let response = try harness.written()
        #expect(response.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        #expect(response.contains("Connection: close"))
        #expect(response.hasSuffix(#"{"data":{},"message":"Request header fields too large.","status":431}"#))
        #expect(!harness.channel.isActive)
    }

    @Test(arguments: ["garbage\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", "GET /\u{7f} HTTP/1.1\r\n\r\n"])
    func aMalformedRequestIsAnswered400AndClosed(request: String) throws {
        let harness = try Harness()
        harness.send(request)
        let response = try harness.written()
        #expect(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(response.hasSuffix(#"{"data":{},"message":"Malformed request.","status":400}"#))
        #expect(!harness.channel.isActive)
    }

    @Test func aConnectionWithoutAWholeHeadIsClosedAtTheHeaderTimeout() throws {
        let harness = try Harness()
        harness.send("GET / HTTP/1.1\r\nHost: x\r\n")  // never finished
        harness.loop.advanceTime(by: .seconds(29))
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .seconds(2))
        #expect(!harness.channel.isActive)
        #expect(try harness.written().isEmpty)
    }

    @Test func aWholeHeadPassesAndTheGuardLeaves() throws {
        let harness = try Harness()
        harness.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .head(let head) = try harness.channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no head passed the guard")
            return
        }
        #expect(head.uri == "/api/health")
        #expect(throws: (any Error).self) { try harness.channel.pipeline.syncOperations.handler(type: FirstRequestGuard.self) }
        harness.loop.advanceTime(by: .seconds(60))
        #expect(harness.channel.isActive)
    }

    @Test func pastTheLimitTheOldestSilentConnectionMakesRoom() throws {
        let loop = EmbeddedEventLoop()
        let registry = ConnectionRegistry(maxConnections: 2)
        let silent = (0..<2).map { _ in EmbeddedChannel(loop: loop) }
        for channel in silent {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            #expect(registry.admit(channel) == .admitted)
        }
        registry.busy(silent[0])
        let newcomer = EmbeddedChannel(loop: loop)
        #expect(registry.admit(newcomer) == .admitted)
        loop.run()
        #expect(silent[0].isActive)
        #expect(!silent[1].isActive)
        #expect(registry.openConnections == 2)
    }

    /// A kept-alive connection between requests is closed before one that is answering or streaming.
    @Test func anIdleKeepAliveConnectionMakesRoomBeforeABusyOne() throws {
        let loop = EmbeddedEventLoop()
        let registry = ConnectionRegistry(maxConnections: 2)
        let (parked, streaming) = (EmbeddedChannel(loop: loop), EmbeddedChannel(loop: loop))
        for channel in [parked, streaming] {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            _ = registry.admit(channel)
            registry.busy(channel)
        }
        registry.idle(parked)
        let newcomer = EmbeddedChannel(loop: loop)
        #expect(registry.admit(newcomer) == .admitted)
        loop.run()
        #expect(!parked.isActive)
        #expect(streaming.isActive)
        #expect(registry.openConnections == 2)
        registry.busy(newcomer)
        #expect(registry.admit(EmbeddedChannel(loop: loop)) == .overloaded)
        loop.run()
        #expect(streaming.isActive)
    }

    @Test func whenEveryConnectionIsBusyTheNewcomerIsAnswered503() throws {
        let harness = try Harness(maxConnections: 3, occupied: 3)
        harness.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try harness.written()
        #expect(response.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(response.contains("Retry-After: 1"))
        #expect(response.hasSuffix(#""status":503}"#))
        #expect(try harness.channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        #expect(!harness.channel.isActive)
    }
}

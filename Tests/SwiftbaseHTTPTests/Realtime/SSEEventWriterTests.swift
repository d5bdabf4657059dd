import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import SwiftbaseServices
import Testing

@testable import SwiftbaseHTTP

/// The SSE writer in an HTTP/1.1 server pipeline like the server's (NIO's codec, then the HTTP-types codec
/// Hummingbird uses) on an `EmbeddedChannel`: what a client reads must be a well-formed response whatever way
/// the writer took, chunks it framed itself or body parts through the encoder.
@Suite struct SSEEventWriterTests {
    static let message = RealtimeMessage(name: "posts/*", data: #"{"action":"create","record":{"id":"r1"}}"#)
    static let event = "id:CLIENT\nevent:posts/*\ndata:{\"action\":\"create\",\"record\":{\"id\":\"r1\"}}\n\n"

    final class Harness {
        let channel = EmbeddedChannel()
        let writer: SSEEventWriter

        /// A GET read, the writer first in the pipeline, then `head` written as the response's writer does.
        init(head: HTTPResponse) throws {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try channel.writeInbound(ByteBuffer(string: "GET /api/realtime HTTP/1.1\r\nHost: x\r\n\r\n"))
            _ = try channel.readInbound(as: HTTPRequestPart.self)
            writer = SSEEventWriter(channel: channel, clientID: "CLIENT")
            try channel.pipeline.syncOperations.addHandler(writer, position: .first)
            try channel.writeAndFlush(HTTPResponsePart.head(head)).wait()
        }

        func end() throws {
            try channel.writeAndFlush(HTTPResponsePart.end(nil)).wait()
        }

        /// Everything written to the socket, as a client reads it.
        func written() throws -> String {
            var out = ByteBuffer()
            while let part = try channel.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let bytes) = part else { continue }
                out.writeImmutableBuffer(bytes)
            }
            return String(buffer: out)
        }

        /// The body of a chunked response, de-chunked; nil if the framing is broken.
        static func dechunk(_ response: String) -> String? {
            guard let split = response.firstRange(of: "\r\n\r\n") else { return nil }
            var rest = Substring(response[split.upperBound...])
            var body = ""
            while let line = rest.firstRange(of: "\r\n") {
                guard let size = Int(rest[..<line.lowerBound], radix: 16) else { return nil }
                let start = line.upperBound
                let data = rest.utf8.index(start, offsetBy: size)
                guard rest[data...].hasPrefix("\r\n") else { return nil }
                if size == 0 { return rest[rest.utf8.index(data, offsetBy: 2)...].isEmpty ? body : nil }
                body += rest[start..<data]
                rest = rest[rest.utf8.index(data, offsetBy: 2)...]
            }
            return nil
        }
    }

    @Test func eventsOfAChunkedResponseAreFramedHereOneChunkEach() throws {
        let harness = try Harness(head: HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
        harness.writer.write(Self.message)
        harness.writer.write(Self.message)
        harness.writer.flush()
        try harness.end()

        let response = try harness.written()
        #expect(response.lowercased().contains("\r\ntransfer-encoding: chunked\r\n"))
        #expect(Harness.dechunk(response) == Self.event + Self.event)
        // One chunk per event: the writer's own framing, not the encoder's (which would make two per event).
        #expect(response.components(separatedBy: "\r\nid:CLIENT").count == 3)
    }

    @Test func anyOtherResponseGetsItsEventsThroughTheEncoder() throws {
        let length = Self.event.utf8.count
        let harness = try Harness(
            head: HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream", .contentLength: "\(length)"]))
        harness.writer.write(Self.message)
        harness.writer.flush()
        try harness.end()

        let response = try harness.written()
        #expect(response.hasSuffix("\r\n\r\n" + Self.event))
    }

    @Test func writabilityFollowsTheChannel() throws {
        let harness = try Harness(head: HTTPResponse(status: .ok))
        #expect(harness.writer.isWritable)
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(!harness.writer.isWritable)
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(harness.writer.isWritable)
    }

    @Test func chunkedHeads() {
        #expect(SSEEventWriter.isChunkedHead(ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")))
        #expect(!SSEEventWriter.isChunkedHead(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")))
        #expect(!SSEEventWriter.isChunkedHead(ByteBuffer(string: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")))
        // A header block that is not complete in one write, or the words only in a body that follows.
        #expect(!SSEEventWriter.isChunkedHead(ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")))
        #expect(!SSEEventWriter.isChunkedHead(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n\r\ntransfer-encoding: chunked\r\n")))
        #expect(!SSEEventWriter.isChunkedHead(ByteBuffer(string: "0\r\n\r\n")))
    }
}

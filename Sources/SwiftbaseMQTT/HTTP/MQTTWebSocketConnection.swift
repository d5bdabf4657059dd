import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// One MQTT client over a WebSocket: binary messages are fed to the decoder (a message may hold part of a packet
/// or several), the CONNECT is authenticated, then packets go to the broker. What the broker sends is written as
/// binary messages by one writer loop; a text message, bytes that are not MQTT or the broker closing the link end
/// the WebSocket.
struct MQTTWebSocketConnection: Sendable {
    let broker: MQTTBroker
    let authenticator: MQTTAuthenticator
    let access: MQTTAccessControl?
    let maximumQueued: Int
    let clientIP: String
    let logger: Logger

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let (outgoing, queue) = AsyncStream<MQTTWebSocketLink.Outgoing>.makeStream()
        let queued = MQTTWebSocketLink.Counter()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await read(inbound, queue: queue, queued: queued)
                queue.yield(.close)
                queue.finish()
            }
            for await item in outgoing {
                switch item {
                case .bytes(let bytes):
                    do {
                        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    } catch {
                        break
                    }
                    queued.add(-1)
                    continue
                case .close:
                    try? await outbound.close(.normalClosure, reason: nil)
                }
                break
            }
            group.cancelAll()
        }
    }

    private func read(
        _ inbound: WebSocketInboundStream, queue: AsyncStream<MQTTWebSocketLink.Outgoing>.Continuation,
        queued: MQTTWebSocketLink.Counter
    ) async {
        var decoder = MQTTPacketDecoder(maximumPacketSize: broker.configuration.maximumPacketSize)
        var connection: MQTTConnectionID?
        var connectionAccess: MQTTConnectionAccess?
        defer { if let connection { broker.connectionClosed(connection, now: .now) } }
        let maxMessage = min(broker.configuration.maximumPacketSize, 16 << 20)
        do {
            for try await message in inbound.messages(maxSize: maxMessage) {
                // MQTT over WebSocket is binary only (§6.0): anything else ends the connection.
                guard case .binary(let buffer) = message else { return }
                decoder.append(buffer.readableBytesView)
                while true {
                    let packet: MQTTPacket
                    do {
                        guard let next = try decoder.next() else { break }
                        packet = next
                    } catch {
                        if let id = connection {
                            connection = nil
                            broker.protocolError(error, on: id, now: .now)
                        }
                        return
                    }
                    if let id = connection {
                        var verdict = MQTTAccessVerdict.allowed
                        if let connectionAccess {
                            if let now = connectionAccess.verdictNow(for: packet) {
                                verdict = now
                            } else {
                                verdict = await connectionAccess.verdict(for: packet)
                            }
                        }
                        broker.receive(packet, on: id, now: .now, verdict: verdict)
                        continue
                    }
                    guard case .connect(let connect) = packet else { return }
                    decoder.version = connect.version
                    let link = MQTTWebSocketLink(
                        version: connect.version, queue: queue, queued: queued, maximumQueued: maximumQueued,
                        topicAliases: broker.outboundTopicAliases(for: connect))
                    switch await authenticator.authenticate(connect, clientIP: clientIP) {
                    case .refused(let reason):
                        _ = link.send(MQTTBroker.refusal(reason, version: connect.version), droppable: false)
                        link.close()
                        return
                    case .accepted(let identity):
                        let prepared = await access?.preparedConnection(
                            identity: identity, clientID: connect.clientID, clientIP: clientIP)
                        guard let id = broker.connect(connect, identity: identity, link: link, now: .now) else { return }
                        connection = id
                        connectionAccess = prepared
                    }
                }
            }
        } catch {
            logger.debug("mqtt websocket read ended", metadata: ["sb.error": "\(error)"])
        }
    }
}

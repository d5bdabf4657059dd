import NIOCore
import SwiftbaseCore

/// One MQTT connection on a NIO channel: decodes bytes into packets, authenticates the CONNECT, then hands every
/// packet to the broker. Bytes that are not MQTT close this connection only (MQTT 5: after a DISCONNECT with the
/// reason, from the broker); a connection that sends no CONNECT within `connectTimeout` is closed.
final class MQTTChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case awaitingConnect
        /// The CONNECT is being authenticated; further bytes wait in the decoder and reading pauses.
        case authenticating
        case connected(MQTTConnectionID, MQTTConnectionAccess?)
        /// A packet waits for the access control to run a rule; further bytes wait in the decoder, reading pauses.
        case authorizing(MQTTConnectionID, MQTTConnectionAccess)
        case closed
    }

    private let broker: MQTTBroker
    private let authenticator: MQTTAuthenticator
    private let access: MQTTAccessControl?
    private let maximumQueued: Int
    private let connectTimeout: TimeAmount
    private var decoder: MQTTPacketDecoder
    private var phase = Phase.awaitingConnect
    private var connectTimer: Scheduled<Void>?

    init(
        broker: MQTTBroker, authenticator: MQTTAuthenticator, access: MQTTAccessControl?, maximumQueued: Int,
        connectTimeout: TimeAmount
    ) {
        self.broker = broker
        self.authenticator = authenticator
        self.access = access
        self.maximumQueued = maximumQueued
        self.connectTimeout = connectTimeout
        decoder = MQTTPacketDecoder(maximumPacketSize: broker.configuration.maximumPacketSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        connectTimer = context.eventLoop.scheduleTask(in: connectTimeout) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        decoder.append(buffer.readableBytesView)
        processBuffered(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectTimer?.cancel()
        switch phase {
        case .connected(let id, _), .authorizing(let id, _): broker.connectionClosed(id, now: .now)
        default: break
        }
        phase = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Decodes and handles packets until the decoder needs more bytes or the CONNECT is being checked.
    private func processBuffered(context: ChannelHandlerContext) {
        while true {
            switch phase {
            case .authenticating, .authorizing, .closed: return
            case .awaitingConnect, .connected: break
            }
            let packet: MQTTPacket
            do {
                guard let next = try decoder.next() else { return }
                packet = next
            } catch {
                return fail(error, context: context)
            }
            handle(packet, context: context)
        }
    }

    private func handle(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        switch phase {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else {
                phase = .closed
                context.close(promise: nil)
                return
            }
            connectTimer?.cancel()
            authenticate(connect, context: context)
        case .connected(let id, let connectionAccess):
            guard let connectionAccess else { return broker.receive(packet, on: id, now: .now) }
            if let verdict = connectionAccess.verdictNow(for: packet) {
                return broker.receive(packet, on: id, now: .now, verdict: verdict)
            }
            authorize(packet, on: id, connectionAccess, context: context)
        case .authenticating, .authorizing, .closed:
            break
        }
    }

    /// Runs the rules `packet` needs with reading paused, then hands it to the broker and reads on.
    private func authorize(
        _ packet: MQTTPacket, on id: MQTTConnectionID, _ connectionAccess: MQTTConnectionAccess,
        context: ChannelHandlerContext
    ) {
        phase = .authorizing(id, connectionAccess)
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await connectionAccess.verdict(for: packet)
        }.whenSuccess { verdict in
            let (handler, context) = bound.value
            guard case .authorizing(let id, let connectionAccess) = handler.phase else { return }
            handler.phase = .connected(id, connectionAccess)
            handler.broker.receive(packet, on: id, now: .now, verdict: verdict)
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            handler.processBuffered(context: context)
        }
    }

    private func authenticate(_ connect: MQTTConnect, context: ChannelHandlerContext) {
        phase = .authenticating
        decoder.version = connect.version
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let link = MQTTChannelLink(channel: context.channel, version: connect.version, maximumQueued: maximumQueued)
        let authenticator = authenticator
        let clientIP = context.remoteAddress?.ipAddress ?? ""
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await authenticator.authenticate(connect, clientIP: clientIP)
        }.whenSuccess { outcome in
            let (handler, context) = bound.value
            handler.finishConnect(connect, outcome: outcome, link: link, context: context)
        }
    }

    private func finishConnect(
        _ connect: MQTTConnect, outcome: MQTTAuthenticator.Outcome, link: MQTTChannelLink,
        context: ChannelHandlerContext
    ) {
        guard case .authenticating = phase else { return }
        switch outcome {
        case .refused(let reason):
            phase = .closed
            _ = link.send(MQTTBroker.refusal(reason, version: connect.version), droppable: false)
            link.close()
        case .accepted(let identity):
            guard let id = broker.connect(connect, identity: identity, link: link, now: .now) else {
                phase = .closed
                return
            }
            let connectionAccess = access?.connection(
                identity: identity, clientID: connect.clientID, clientIP: context.remoteAddress?.ipAddress ?? "")
            phase = .connected(id, connectionAccess)
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            processBuffered(context: context)
        }
    }

    private func fail(_ error: MQTTProtocolError, context: ChannelHandlerContext) {
        switch phase {
        case .connected(let id, _), .authorizing(let id, _):
            phase = .closed
            broker.protocolError(error, on: id, now: .now)
        case .awaitingConnect where error.reasonCode == .unsupportedProtocolVersion:
            // The client's version is not known: answer as 3.1.1 does, "unacceptable protocol version" (§3.1.2.2).
            phase = .closed
            let refusal = try? MQTTBroker.refusal(.unsupportedProtocolVersion, version: .v311).encoded(version: .v311)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: refusal ?? []))).whenComplete { _ in
                channel.close(promise: nil)
            }
        default:
            phase = .closed
            context.close(promise: nil)
        }
    }
}

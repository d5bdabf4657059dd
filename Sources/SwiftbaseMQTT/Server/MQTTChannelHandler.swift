import Logging
import NIOCore
import SwiftbaseCore

/// One MQTT connection on a NIO channel: decodes bytes into packets, authenticates the CONNECT, then hands every
/// packet to the broker. Bytes that are not MQTT close this connection only (MQTT 5: after a DISCONNECT with the
/// reason, from the broker); a connection that sends no CONNECT within `connectTimeout` is closed.
///
/// Backpressure: when a packet's deliveries found a subscriber's link congested, this connection stops reading
/// until that link is relieved or `maximumHoldBack` passed, so a fast publisher slows down to what its
/// subscribers take instead of having its QoS 0 messages dropped (or QoS 1/2 ones past the session queue). The
/// hold is bounded so that a subscriber that stopped reading costs its publishers a pause, not their connection.
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
    private let maximumHoldBack: TimeAmount
    private let logger: Logger
    private var decoder: MQTTPacketDecoder
    private var phase = Phase.awaitingConnect
    private var connectTimer: Scheduled<Void>?
    /// This connection's own link, once its CONNECT was accepted.
    private var link: MQTTChannelLink?
    /// Set while reading is held back for congested subscribers; counts holds, so a late release of an older one
    /// is ignored.
    private var holdBack: (active: Bool, count: UInt64) = (false, 0)

    init(
        broker: MQTTBroker, authenticator: MQTTAuthenticator, access: MQTTAccessControl?, maximumQueued: Int,
        connectTimeout: TimeAmount, maximumHoldBack: TimeAmount = .seconds(1), logger: Logger
    ) {
        self.broker = broker
        self.authenticator = authenticator
        self.access = access
        self.maximumQueued = maximumQueued
        self.connectTimeout = connectTimeout
        self.maximumHoldBack = maximumHoldBack
        self.logger = logger
        decoder = MQTTPacketDecoder(maximumPacketSize: broker.configuration.maximumPacketSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = logger
        let metadata = Self.metadata(channel)
        connectTimer = context.eventLoop.scheduleTask(in: connectTimeout) {
            logger.debug("MQTT connection closed: no CONNECT in time", metadata: metadata)
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .closed = phase { return }  // a connection the server ended: what still comes is dropped
        let buffer = unwrapInboundIn(data)
        decoder.append(buffer.readableBytesView)
        processBuffered(context: context)
    }

    /// The server ended the connection and closed its sending side (`MQTTChannelLink.close`): the connection is
    /// read to its end, and nothing it sends is handled any more.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .outputClosed {
            switch phase {
            case .connected(let id, _), .authorizing(let id, _): broker.connectionClosed(id, now: .now)
            default: break
            }
            phase = .closed
            decoder = MQTTPacketDecoder()
            holdBack.active = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectTimer?.cancel()
        switch phase {
        case .connected(let id, _), .authorizing(let id, _):
            logger.debug("MQTT connection ended", metadata: Self.metadata(context.channel, id))
            broker.connectionClosed(id, now: .now)
        default: break
        }
        phase = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug(
            "MQTT connection closed: channel error",
            metadata: Self.metadata(context.channel).merging(["sb.error": "\(error)"]) { $1 })
        context.close(promise: nil)
    }

    /// Decodes and handles packets until the decoder needs more bytes, the CONNECT or a rule is being checked, or
    /// reading is held back.
    private func processBuffered(context: ChannelHandlerContext) {
        while !holdBack.active {
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
                logger.debug(
                    "MQTT connection closed: first packet not CONNECT", metadata: Self.metadata(context.channel))
                phase = .closed
                context.close(promise: nil)
                return
            }
            connectTimer?.cancel()
            connectTimer = nil
            authenticate(connect, context: context)
        case .connected(let id, let connectionAccess):
            guard let connectionAccess else { return deliver(packet, on: id, verdict: .allowed, context: context) }
            if let verdict = connectionAccess.verdictNow(for: packet) {
                return deliver(packet, on: id, verdict: verdict, context: context)
            }
            authorize(packet, on: id, connectionAccess, context: context)
        case .authenticating, .authorizing, .closed:
            break
        }
    }

    /// Hands `packet` to the broker, holding back reading when its deliveries found congested subscribers.
    private func deliver(
        _ packet: MQTTPacket, on id: MQTTConnectionID, verdict: MQTTAccessVerdict, context: ChannelHandlerContext
    ) {
        // Only a PUBLISH holds its connection back, and never for the connection's own link: its acknowledgements
        // are what relieves its own queue.
        let congested = broker.receive(packet, on: id, now: .now, verdict: verdict).filter { $0 !== link }
        guard !congested.isEmpty, case .publish = packet else { return }
        holdBack.active = true
        holdBack.count &+= 1
        let hold = holdBack.count
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let release: @Sendable () -> Void = {
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.release(hold, context: context)
            }
        }
        for link in congested { link.whenRelieved(release) }
        eventLoop.scheduleTask(in: maximumHoldBack) {
            let (handler, context) = bound.value
            guard handler.isHolding(hold) else { return }
            // Before reading on, or the next PUBLISH to the same subscriber would hold the connection again.
            for link in congested { link.heldBackTooLong() }
            handler.release(hold, context: context)
        }
    }

    private func isHolding(_ hold: UInt64) -> Bool {
        holdBack.active && holdBack.count == hold
    }

    private func release(_ hold: UInt64, context: ChannelHandlerContext) {
        guard isHolding(hold) else { return }
        holdBack.active = false
        resumeReading(context: context)
    }

    /// Reads on, unless a rule, the CONNECT or a congested subscriber still holds the connection.
    private func resumeReading(context: ChannelHandlerContext) {
        guard case .connected = phase, !holdBack.active else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        processBuffered(context: context)
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
            handler.deliver(packet, on: id, verdict: verdict, context: context)
            handler.resumeReading(context: context)
        }
    }

    private func authenticate(_ connect: MQTTConnect, context: ChannelHandlerContext) {
        phase = .authenticating
        decoder.version = connect.version
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let link = MQTTChannelLink(
            channel: context.channel, version: connect.version, maximumQueued: maximumQueued,
            topicAliases: broker.outboundTopicAliases(for: connect))
        let authenticator = authenticator
        let access = access
        let clientIP = context.remoteAddress?.ipAddress ?? ""
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            let outcome = await authenticator.authenticate(connect, clientIP: clientIP)
            guard case .accepted(let identity) = outcome, let access else { return (outcome, nil) }
            return (
                outcome, await access.preparedConnection(identity: identity, clientID: connect.clientID, clientIP: clientIP)
            )
        }.whenSuccess { (outcome: MQTTAuthenticator.Outcome, connectionAccess: MQTTConnectionAccess?) in
            let (handler, context) = bound.value
            handler.finishConnect(connect, outcome: outcome, access: connectionAccess, link: link, context: context)
        }
    }

    private func finishConnect(
        _ connect: MQTTConnect, outcome: MQTTAuthenticator.Outcome, access connectionAccess: MQTTConnectionAccess?,
        link: MQTTChannelLink, context: ChannelHandlerContext
    ) {
        guard case .authenticating = phase else { return }
        switch outcome {
        case .refused(let reason):
            logger.debug(
                "MQTT connection closed: CONNECT refused",
                metadata: Self.metadata(context.channel).merging(["sb.mqtt.reason": "\(reason)"]) { $1 })
            phase = .closed
            _ = link.send(MQTTBroker.refusal(reason, version: connect.version), droppable: false)
            link.close()
        case .accepted(let identity):
            guard let id = broker.connect(connect, identity: identity, link: link, now: .now) else {
                logger.debug(
                    "MQTT connection closed: CONNECT refused by the broker", metadata: Self.metadata(context.channel))
                phase = .closed
                return
            }
            phase = .connected(id, connectionAccess)
            self.link = link
            resumeReading(context: context)
        }
    }

    private func fail(_ error: MQTTProtocolError, context: ChannelHandlerContext) {
        logger.debug(
            "MQTT connection closed: bad packet",
            metadata: Self.metadata(context.channel).merging(["sb.error": "\(error)"]) { $1 })
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

    private static func metadata(_ channel: any Channel, _ id: MQTTConnectionID? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["sb.mqtt.peer": "\(channel.remoteAddress?.description ?? "?")"]
        if let id { metadata["sb.mqtt.connection"] = "\(id)" }
        return metadata
    }
}

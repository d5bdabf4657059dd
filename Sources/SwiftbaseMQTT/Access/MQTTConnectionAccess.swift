public import SwiftbaseCore
import Synchronization

/// One connection's side of the access control: its identity, the answers of the rules it has met (see
/// `MQTTAccessControl`), and the topic aliases it set, so a PUBLISH that names its topic by alias is judged by the
/// topic. A transport asks `verdictNow` first and awaits `verdict` only when a rule must run, keeping the
/// connection's packets in order meanwhile.
public final class MQTTConnectionAccess: Sendable {
    let control: MQTTAccessControl
    public let identity: AuthContext
    let clientID: String
    let clientIP: String
    private struct State {
        var generation = -1
        var ruleAnswers: [String: Bool] = [:]
        var aliases: [UInt16: String] = [:]
    }
    private let state = Mutex(State())

    init(control: MQTTAccessControl, identity: AuthContext, clientID: String, clientIP: String) {
        self.control = control
        self.identity = identity
        self.clientID = clientID
        self.clientIP = clientIP
    }

    /// The verdict for `packet` when it can be given without running a rule; nil when `verdict` must be awaited.
    public func verdictNow(for packet: MQTTPacket) -> MQTTAccessVerdict? {
        switch questions(for: packet) {
        case .none: return .allowed
        case .some(let (action, topics)):
            var answers: [Bool] = []
            for topic in topics {
                guard let answer = answerNow(action, topic: topic) else { return nil }
                answers.append(answer)
            }
            return verdict(action, answers)
        }
    }

    /// The verdict for `packet`, running the rules it needs.
    public func verdict(for packet: MQTTPacket) async -> MQTTAccessVerdict {
        guard let (action, topics) = questions(for: packet) else { return .allowed }
        var answers: [Bool] = []
        for topic in topics {
            if let answer = answerNow(action, topic: topic) {
                answers.append(answer)
            } else {
                answers.append(await answer(action, topic: topic))
            }
        }
        return verdict(action, answers)
    }

    private func verdict(_ action: MQTTAction, _ answers: [Bool]) -> MQTTAccessVerdict {
        action == .publish
            ? MQTTAccessVerdict(publishAllowed: answers.allSatisfy { $0 })
            : MQTTAccessVerdict(filtersAllowed: answers)
    }

    /// What `packet` asks: publish to one topic (its alias resolved), or subscribe to filters; nil asks nothing.
    private func questions(for packet: MQTTPacket) -> (MQTTAction, [String])? {
        switch packet {
        case .publish(let publish):
            var topic = publish.topic
            if let alias = publish.properties.topicAlias {
                if topic.isEmpty {
                    // An unknown alias is the broker's to refuse (protocol error); nothing to judge.
                    guard let known = state.withLock({ $0.aliases[alias] }) else { return nil }
                    topic = known
                } else {
                    state.withLock { $0.aliases[alias] = topic }
                }
            }
            return (.publish, [topic])
        case .subscribe(let subscribe):
            return (.subscribe, subscribe.subscriptions.map(\.filter))
        default:
            return nil
        }
    }

    private func answerNow(_ action: MQTTAction, topic: String) -> Bool? {
        let (generation, acl) = control.current
        switch acl.decide(action, topic: topic, identity: identity) {
        case .allow: return true
        case .deny:
            control.recordDenial(action, topic: topic, access: self)
            return false
        case .evaluate(let rule):
            let known = state.withLock { state -> Bool? in
                if state.generation != generation {
                    state.generation = generation
                    state.ruleAnswers = [:]
                }
                return state.ruleAnswers[Self.key(action, rule)]
            }
            guard let known else { return nil }
            if !known { control.recordDenial(action, topic: topic, access: self) }
            return known
        }
    }

    private func answer(_ action: MQTTAction, topic: String) async -> Bool {
        let (generation, acl) = control.current
        guard case .evaluate(let rule) = acl.decide(action, topic: topic, identity: identity) else {
            return answerNow(action, topic: topic) ?? false
        }
        guard let allowed = await run(rule, for: action, generation: generation) else {
            // The store could not answer: deny this packet, and ask again next time.
            control.recordDenial(action, topic: topic, access: self)
            return false
        }
        if !allowed { control.recordDenial(action, topic: topic, access: self) }
        return allowed
    }

    /// Runs the rules of the ACL in force for this identity before the client's first packet is read (an ACL holds
    /// a handful of distinct rules; past `preparedRules` the rest run when first met). Its packets are then judged
    /// at once, in the order they arrive — a SUBSCRIBE waiting on a rule while a PUBLISH from another client
    /// passes would miss that message, as a client that subscribes and at once tells another to publish expects
    /// it not to.
    public func prepare() async {
        let (generation, acl) = control.current
        if identity.isSuperuser { return }
        if case .apiKey = identity.identity { return }
        var questions: [(MQTTAction, String)] = []
        for entry in acl.entries {
            for action in [MQTTAction.publish, .subscribe] {
                guard let rule = entry.rule(for: action), !rule.allSatisfy(\.isWhitespace),
                    !questions.contains(where: { $0 == (action, rule) })
                else { continue }
                questions.append((action, rule))
            }
        }
        for (action, rule) in questions.prefix(Self.preparedRules) {
            _ = await run(rule, for: action, generation: generation)
        }
    }

    /// Rules `prepare` runs at most.
    static let preparedRules = 16

    /// Runs `rule` for `action` and keeps its answer (for the settings of `generation`); nil when the store could
    /// not answer.
    private func run(_ rule: String, for action: MQTTAction, generation: Int) async -> Bool? {
        let request = RequestInfo(
            auth: identity, method: action == .publish ? "PUBLISH" : "SUBSCRIBE", context: "mqtt")
        guard let allowed = try? await control.records.requestRuleAllows(rule, request: request) else { return nil }
        state.withLock { state in
            if state.generation > generation { return }  // the settings changed meanwhile: not kept
            if state.generation != generation {
                state.generation = generation
                state.ruleAnswers = [:]
            }
            // Bounded: a settings document holds few distinct rules, but never let it grow without end.
            if state.ruleAnswers.count >= 256 { state.ruleAnswers = [:] }
            state.ruleAnswers[Self.key(action, rule)] = allowed
        }
        return allowed
    }

    /// A rule's answer is kept per action: a rule may read `@request.method` (PUBLISH or SUBSCRIBE).
    private static func key(_ action: MQTTAction, _ rule: String) -> String {
        action.rawValue + "\u{0}" + rule
    }
}

import Foundation
public import SwiftbaseCore

extension SubscriptionHub {
    /// The topic the all-in-one OAuth2 flow listens on; its `state` is the realtime client's id.
    public static let oauth2Topic = "@oauth2"

    /// `/api/oauth2-redirect`: hands `data` (`{state, code}` or `{state, code, error}`) to the client whose id is
    /// `clientID`, if it is connected, subscribed to `@oauth2` and — when it connected with a known address —
    /// connected from `remoteIP` (the one who completed the sign-in must be the one who started it). The
    /// subscription is used up either way. Returns whether the message was sent.
    public func deliverOAuth2Redirect(clientID: String, data: JSONValue, remoteIP: String) -> Bool {
        guard let client = client(id: clientID), client.closedReason == nil,
            client.removeSubscription(Self.oauth2Topic)
        else { return false }
        if !client.remoteIP.isEmpty, client.remoteIP != remoteIP { return false }
        let message = RealtimeMessage(name: Self.oauth2Topic, data: data.jsonString)
        if let sink = client.sink {
            let write = RealtimeLoopOutbox.Write(client: client, sink: sink, message: message)
            outbox(for: sink.eventLoop).add([write])
            return true
        }
        return client.send(message, now: Date()) == .queued
    }
}

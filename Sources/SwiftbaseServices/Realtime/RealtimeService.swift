public import ServiceLifecycle
public import SwiftbaseCore

/// Feeds the hub from the event bus (after commit, in commit order) and sweeps idle and old clients every
/// few seconds; at graceful shutdown every client is closed so their streams end.
public struct RealtimeService: Service {
    let hub: SubscriptionHub
    let events: EventBus

    public init(hub: SubscriptionHub, events: EventBus) {
        self.hub = hub
        self.events = events
    }

    public func run() async throws {
        let (hub, stream) = (self.hub, events.subscribeTransactions())
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await entries in stream.cancelOnGracefulShutdown() { await hub.broadcast(transaction: entries) }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .seconds(5))
                    hub.sweep()
                }
            }
            await group.next()
            group.cancelAll()
        }
        hub.closeAll(reason: "server shutting down")
        // Change streams and other bus readers end too, so the server can drain.
        events.finish()
    }
}

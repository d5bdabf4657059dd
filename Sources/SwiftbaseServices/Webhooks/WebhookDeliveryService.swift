public import ServiceLifecycle
public import SwiftbaseCore

/// Runs webhook delivery with the app (see `WebhookDispatcher`); at shutdown it stops the workers, each
/// saving what it delivered, then closes the HTTP client.
public struct WebhookDeliveryService: Service {
    let dispatcher: WebhookDispatcher
    let transport: HTTPWebhookTransport?

    public init(dispatcher: WebhookDispatcher, transport: HTTPWebhookTransport?) {
        self.dispatcher = dispatcher
        self.transport = transport
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.stop()
        }
        await transport?.shutdown()
    }
}

import SwiftbaseCore
import Foundation
import Synchronization
import Testing

@testable import SwiftbaseMQTT

/// The publish observer (ingest) under a long run of publishes: each call must cost the same small stack. The
/// observer used to sit in its lock as a bare optional closure, re-wrapped in two thunks by every `withLock`, so
/// the n-th publish ran through 2n nested calls and the server crashed (SIGSEGV) under the benchmark's QoS 1 load.
@Suite struct MQTTBrokerObserverTests {
    @Test(.timeLimit(.minutes(1)))
    func observerCallsStayShallowOverManyPublishes() async {
        let f = MQTTBrokerFixture()
        let seen = Atomic<Int>(0)
        f.broker.onClientPublish { _, _, _ in seen.add(1, ordering: .relaxed) }
        let p = f.connect("p")
        let publishes = 20_000
        // On a thread with a small stack: 2 × 20,000 nested thunks overflow 256 KiB long before the last publish.
        let finished = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let thread = Thread {
                for i in 0..<publishes { f.publish(p.id, "t/\(i % 8)", "x", qos: .atLeastOnce, packetID: 1) }
                done.resume(returning: true)
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        #expect(finished)
        #expect(seen.load(ordering: .relaxed) == publishes)
        #expect(p.link.take().count == publishes)  // one PUBACK each
    }
}

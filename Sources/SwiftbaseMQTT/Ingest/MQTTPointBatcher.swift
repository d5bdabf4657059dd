import CoreMetrics
import SwiftbaseCore
import Synchronization

/// Messages routed into a `timeseries` collection, gathered per collection and publisher for a short window and
/// written as one batch through `RecordService.createPoints` — one transaction for many messages instead of one
/// per message. A batch is written when it reaches `maximumBatch` points or when the ingest's timer fires
/// (`window` after the first point of a round), whichever comes first.
///
/// A point the batch refuses (a field invalid, the create rule) is dropped alone: the rest are written again
/// without it.
final class MQTTPointBatcher: Sendable {
    struct Pending: Sendable {
        var collectionId: String
        var auth: AuthContext
        var bodies: [[String: JSONValue]] = []
        var topics: [String] = []
        /// When the batch's first message arrived (the ingest lag of the batch).
        var oldest: ContinuousClock.Instant
    }

    static let maximumBatch = 5_000
    static let window: Duration = .milliseconds(50)

    private let pending = Mutex<[String: Pending]>([:])
    /// Told when a point arrives while none is gathered, so the ingest's timer runs only while there are points.
    private let arrived = WakeSignal()

    /// Adds a point; returns a full batch to write now, if this point filled one.
    func add(
        _ body: [String: JSONValue], topic: String, received: ContinuousClock.Instant, collectionId: String,
        auth: AuthContext
    ) -> Pending? {
        let key = collectionId + "\u{0}" + auth.auditActor
        let (full, first) = pending.withLock { batches -> (Pending?, Bool) in
            let first = batches.isEmpty
            batches[key, default: Pending(collectionId: collectionId, auth: auth, oldest: received)].bodies.append(body)
            batches[key]?.topics.append(topic)
            guard (batches[key]?.bodies.count ?? 0) >= Self.maximumBatch else { return (nil, first) }
            return (batches.removeValue(forKey: key), first)
        }
        if first { arrived.notify() }
        return full
    }

    /// Returns once a point arrived since the last `drain` (at once if one did), or when the task is cancelled.
    func waitForPoints() async {
        await arrived.wait()
    }

    /// Every batch gathered so far, taken out.
    func drain() -> [Pending] {
        pending.withLock { batches in
            defer { batches = [:] }
            return Array(batches.values)
        }
    }
}

extension MQTTIngestService {
    /// Writes a batch; points refused one by one are dropped and counted, the others written.
    func write(_ batch: MQTTPointBatcher.Pending) async {
        var bodies = batch.bodies
        var topics = batch.topics
        let request = RequestInfo(auth: batch.auth, method: "POST", context: "mqtt")
        while !bodies.isEmpty {
            do {
                let inserted = try await records.createPoints(in: batch.collectionId, points: bodies, request: request)
                created.increment(by: Int64(inserted))
                recordLag(since: batch.oldest)
                return
            } catch let refused as PointBatchFailure where bodies.indices.contains(refused.index) {
                failed(topic: topics[refused.index], collection: batch.collectionId, actor: batch.auth, reason: "\(refused.error)")
                bodies.remove(at: refused.index)
                topics.remove(at: refused.index)
            } catch {
                for topic in topics { failed(topic: topic, collection: batch.collectionId, actor: batch.auth, reason: "\(error)") }
                return
            }
        }
    }

    /// Writes what the batcher gathered `MQTTPointBatcher.window` after the first point of each round, until
    /// cancelled (then once more). Between rounds it sleeps until a point arrives: an idle server wakes no thread.
    func flushPeriodically() async {
        while !Task.isCancelled {
            await points.waitForPoints()
            if Task.isCancelled { break }
            try? await Task.sleep(for: MQTTPointBatcher.window)
            for batch in points.drain() { await write(batch) }
        }
        for batch in points.drain() { await write(batch) }
    }
}

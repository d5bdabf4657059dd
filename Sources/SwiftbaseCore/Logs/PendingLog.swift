public import Foundation

/// What waits in ``LogBatchWriter``'s buffer: a finished entry, or a request's facts with the time it was
/// answered and the settings in force then. A request's entry is made by the writer, a batch at a time, off
/// the request path: its data JSON written straight from the facts, its id's random part drawn from one
/// generator seeded once per batch (``rows(_:)``).
public enum PendingLog: Sendable {
    case entry(LogEntry)
    case request(RequestLogFacts, answeredAt: Date, settings: LogSettings)

    /// The rows to store for `batch`, in its order.
    static func rows(_ batch: some Collection<PendingLog>) -> [LogRow] {
        var generator = SplitMix64()
        var rows: [LogRow] = []
        rows.reserveCapacity(batch.count)
        for pending in batch {
            switch pending {
            case .entry(let entry): rows.append(entry.row)
            case .request(let facts, let answeredAt, let settings):
                rows.append(facts.row(settings: settings, answeredAt: answeredAt, using: &generator))
            }
        }
        return rows
    }
}

internal import Foundation

/// Ends calls that run past their deadline: one thread for the whole runtime, sleeping until the earliest deadline.
///
/// Registering a call is a heap insertion under a lock, and a call that finishes first takes its entry out again,
/// so a runtime answering many short calls keeps nothing scheduled for them (a `DispatchQueue.asyncAfter` timer
/// per call cost about 10 µs of a 20 µs warm call). When a deadline passes, the watchdog runs the entry's
/// `onTimeout` and then repeats `onRepeat` every millisecond for as long as it answers `true` (the interrupt's
/// fuel starvation, see ``CallInterrupt``), at most `maxRepeats` times.
final class CallWatchdog: Sendable {
    /// A registered call; `cancel` it when the call is over.
    final class Ticket: @unchecked Sendable {
        fileprivate var deadline: ContinuousClock.Instant
        fileprivate var index = -1  // position in the heap; -1 when not in it
        fileprivate var fired = false
        fileprivate var repeats = 0
        fileprivate let onTimeout: @Sendable () -> Void
        fileprivate let onRepeat: @Sendable () -> Bool

        fileprivate init(
            deadline: ContinuousClock.Instant, onTimeout: @escaping @Sendable () -> Void,
            onRepeat: @escaping @Sendable () -> Bool
        ) {
            self.deadline = deadline
            self.onTimeout = onTimeout
            self.onRepeat = onRepeat
        }
    }

    static let repeatInterval = Duration.milliseconds(1)
    static let maxRepeats = 60_000

    private let state = State()

    deinit { state.shutDown() }

    /// Calls `onTimeout` once `deadline` has passed, unless the ticket is cancelled first.
    func register(
        deadline: ContinuousClock.Instant, onTimeout: @escaping @Sendable () -> Void,
        onRepeat: @escaping @Sendable () -> Bool
    ) -> Ticket {
        let ticket = Ticket(deadline: deadline, onTimeout: onTimeout, onRepeat: onRepeat)
        state.insert(ticket)
        return ticket
    }

    /// The call is over before its deadline: forget it. After the deadline this only stops the repeats early.
    func cancel(_ ticket: Ticket) {
        state.remove(ticket)
    }

    /// The heap of tickets by deadline and the thread that waits for the earliest, under one condition lock.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var heap: [Ticket] = []
        private var threadStarted = false
        private var isShutDown = false
        /// When the thread wakes by itself next; nil while it waits for a signal. A ticket due later needs no
        /// signal: the thread looks at the heap again when it wakes. So a runtime answering calls one after another
        /// (each due seconds ahead, each cancelled at once) wakes the thread about once per timeout, not per call.
        private var sleepingUntil: ContinuousClock.Instant?

        func insert(_ ticket: Ticket) {
            condition.lock()
            defer { condition.unlock() }
            push(ticket)
            if !threadStarted {
                threadStarted = true
                let thread = Thread { [self] in run() }
                thread.name = "swiftbase-functions-watchdog"
                thread.start()
            } else if ticket.index == 0, sleepingUntil.map({ ticket.deadline < $0 }) ?? true {
                condition.signal()  // due before the thread wakes: wake it to wait for this one instead
            }
        }

        func remove(_ ticket: Ticket) {
            condition.lock()
            defer { condition.unlock() }
            guard ticket.index >= 0 else { return }
            removeAt(ticket.index)
        }

        func shutDown() {
            condition.lock()
            isShutDown = true
            condition.signal()
            condition.unlock()
        }

        private func run() {
            condition.lock()
            while !isShutDown {
                guard let earliest = heap.first else {
                    sleepingUntil = nil
                    condition.wait()
                    continue
                }
                let now = ContinuousClock.now
                guard earliest.deadline <= now else {
                    sleepingUntil = earliest.deadline
                    _ = condition.wait(until: Date(timeIntervalSinceNow: (earliest.deadline - now).seconds))
                    continue
                }
                removeAt(0)
                let firstTime = !earliest.fired
                earliest.fired = true
                condition.unlock()
                if firstTime { earliest.onTimeout() }
                let again = earliest.onRepeat() && earliest.repeats < CallWatchdog.maxRepeats
                condition.lock()
                if again {
                    earliest.repeats += 1
                    earliest.deadline = ContinuousClock.now + CallWatchdog.repeatInterval
                    push(earliest)
                }
            }
            condition.unlock()
        }

        // MARK: - Binary heap with positions, so a finished call leaves in O(log n)

        private func push(_ ticket: Ticket) {
            ticket.index = heap.count
            heap.append(ticket)
            siftUp(ticket.index)
        }

        private func removeAt(_ index: Int) {
            let removed = heap[index]
            let last = heap.removeLast()
            removed.index = -1
            guard index < heap.count else { return }
            heap[index] = last
            last.index = index
            siftDown(index)
            siftUp(last.index)
        }

        private func siftUp(_ start: Int) {
            var child = start
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].deadline < heap[parent].deadline else { return }
                swapAt(child, parent)
                child = parent
            }
        }

        private func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
                if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
                guard smallest != parent else { return }
                swapAt(parent, smallest)
                parent = smallest
            }
        }

        private func swapAt(_ a: Int, _ b: Int) {
            heap.swapAt(a, b)
            heap[a].index = a
            heap[b].index = b
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

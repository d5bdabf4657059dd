internal import GRDB
import Synchronization

/// Group commit: the writes that queue up while the writer is busy run in one transaction, each inside its
/// own savepoint, and are answered only after that transaction commits.
///
/// Durability is unchanged — no write is acknowledged before the commit that holds it — but one commit
/// (WAL frames, locks, GRDB's bookkeeping) and one hop to the writer's queue serve a whole group. A write
/// that fails rolls back to its savepoint alone and answers its own error; the others still commit. If the
/// transaction itself is lost (an I/O error rolls it back) or does not commit, every write of the group
/// fails. Under the create/update load of issue 6 the commit was a sixth of the CPU per request.
final class SQLiteWriteGroups: Sendable {
    /// One queued write: `run` executes it inside the open transaction and returns how to answer it once
    /// the group is over; `fail` answers it when the group as a whole does not commit.
    private struct Pending: Sendable {
        let run: @Sendable (Database) -> Answer
        let fail: @Sendable (any Error) -> Void
    }

    private enum Answer {
        case success(@Sendable () -> Void)
        case failure(@Sendable () -> Void)
    }

    private let pool: DatabasePool
    private let state = Mutex<(queue: [Pending], draining: Bool)>(([], false))
    /// Writes per transaction at most, so that a long queue still commits (and answers) in steps.
    private let maximumGroup = 64

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next group; once the group committed, `committed` hears the value (on the writer's
    /// queue, in the group's order, before any later group starts) and then the caller is answered.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T, committed: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(
                Pending(
                    run: { db in
                        do {
                            try db.executeCached("SAVEPOINT swiftbase_write")
                            let value = try body(db)
                            try db.executeCached("RELEASE SAVEPOINT swiftbase_write")
                            return .success {
                                committed?(value)
                                continuation.resume(returning: value)
                            }
                        } catch {
                            if db.isInsideTransaction {
                                try? db.executeCached("ROLLBACK TO SAVEPOINT swiftbase_write")
                                try? db.executeCached("RELEASE SAVEPOINT swiftbase_write")
                            }
                            return .failure { continuation.resume(throwing: error) }
                        }
                    },
                    fail: { continuation.resume(throwing: $0) }))
        }
    }

    private func enqueue(_ pending: Pending) {
        let startDraining = state.withLock { state -> Bool in
            state.queue.append(pending)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDraining {
            pool.asyncWriteWithoutTransaction { db in self.drain(db) }
        }
    }

    /// On the writer's queue: commits groups until the queue is empty.
    private func drain(_ db: Database) {
        while true {
            let group = state.withLock { state -> [Pending] in
                let group = Array(state.queue.prefix(maximumGroup))
                state.queue.removeFirst(group.count)
                if group.isEmpty { state.draining = false }
                return group
            }
            if group.isEmpty { return }
            commit(group, on: db)
        }
    }

    private func commit(_ group: [Pending], on db: Database) {
        do {
            try db.executeCached("BEGIN IMMEDIATE TRANSACTION")
        } catch {
            for pending in group { pending.fail(error) }
            return
        }
        var answers: [Answer] = []
        answers.reserveCapacity(group.count)
        for (index, pending) in group.enumerated() {
            let answer = pending.run(db)
            if !db.isInsideTransaction {
                // SQLite rolled the whole transaction back (I/O error, disk full): nothing of it was kept. The
                // write that hit it answers its own error, the others this one.
                let lost = DatabaseError(resultCode: .SQLITE_ABORT, message: "the write transaction was rolled back")
                for (other, pending) in group.enumerated() where other != index { pending.fail(lost) }
                if case .failure(let own) = answer { own() } else { pending.fail(lost) }
                return
            }
            answers.append(answer)
        }
        do {
            try db.executeCached("COMMIT TRANSACTION")
        } catch {
            try? db.executeCached("ROLLBACK TRANSACTION")
            for pending in group { pending.fail(error) }
            return
        }
        for answer in answers {
            switch answer {
            case .success(let answer), .failure(let answer): answer()
            }
        }
    }
}

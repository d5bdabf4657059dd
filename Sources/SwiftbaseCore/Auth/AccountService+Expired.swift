import Foundation

extension AccountService {
    /// Deletes the one-time passwords older than their auth collection's `otp.duration` — of every auth
    /// collection, OTP login on or off, so none linger (PocketBase's hourly `__pbOTPCleanup__`). Deletes go
    /// through the record service, as the OTP flows' own deletes do. Answers how many went.
    @discardableResult
    public func deleteExpiredOTPs() async throws -> Int {
        try await deleteExpired(in: SystemCollections.otpsID) { Self.otpOptions($0).duration }
    }

    /// Deletes the MFA sessions older than their auth collection's `mfa.duration` (PocketBase's hourly
    /// `__pbMFACleanup__`). Answers how many went.
    @discardableResult
    public func deleteExpiredMFAs() async throws -> Int {
        try await deleteExpired(in: SystemCollections.mfasID) { collection in
            Int(saturating: collection.auth?.extra["mfa"]?["duration"]?.doubleValue ?? 600)
        }
    }

    private func deleteExpired(in systemCollection: String, duration: (CollectionModel) -> Int) async throws -> Int {
        let snapshot = records.registry.snapshot
        guard let table = snapshot.collection(systemCollection)?.name else { return 0 }
        let now = auth.clock.now
        var deleted = 0
        for collection in snapshot.collections where collection.isAuth {
            let cutoff = DateTime.format(now.addingTimeInterval(-Double(duration(collection))))
            let query = SQLFragment(
                unsafeRaw: #"SELECT "id" FROM "\#(table)" WHERE "collectionRef" = ? AND "created" < ?"#,
                arguments: [.text(collection.id), .text(cutoff)])
            let ids = try await records.store.read { conn in try conn.rows(query).compactMap { $0.values[0].textValue } }
            for id in ids {
                do {
                    try await records.delete(in: systemCollection, id: id, request: Self.system)
                    deleted += 1
                } catch let error as SwiftbaseError where error.code == .notFound {
                    // Spent by a login meanwhile.
                }
            }
        }
        return deleted
    }
}

import Crypto
import Logging

extension AccountService {
    /// Origins kept per record: a new one beyond this pushes the oldest out.
    static let maxAuthOrigins = 5

    /// After a login by password, OTP or OAuth2 (not a refresh): remembers where it came from in `_authOrigins`
    /// (an MD5 fingerprint of address and user agent, as PocketBase keeps it) and, when the collection's
    /// `authAlert` is on and a record that has logged in before does so from a new origin, mails its owner the
    /// `authAlert` template. Nothing here fails a login: problems are logged.
    public func noteLoginOrigin(record: RecordModel, collection: CollectionModel, ip: String, userAgent: String) async {
        guard collection.auth?.extra["authAlert"]?["enabled"]?.boolValue == true else { return }
        do {
            try await noteOrigin(record: record, collection: collection, ip: ip, userAgent: userAgent)
        } catch {
            logger.warning("login alert failed", metadata: ["sb.record": "\(record.id)", "sb.error": "\(error)"])
        }
    }

    private func noteOrigin(record: RecordModel, collection: CollectionModel, ip: String, userAgent: String) async throws {
        let agent = userAgent.count > 200 ? String(userAgent.prefix(200)) + "..." : userAgent
        let fingerprint = Insecure.MD5.hash(data: Array((ip + agent).utf8))
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        guard let originsCollection = records.registry.snapshot.collection(SystemCollections.authOriginsID) else { return }
        let query = SQLFragment(
            unsafeRaw: #"SELECT * FROM "_authOrigins" WHERE "collectionRef" = ? AND "recordRef" = ? ORDER BY "created" DESC"#,
            arguments: [.text(collection.id), .text(record.id)])
        let origins = try await records.store.read { conn in
            try conn.rows(query).map { RecordRow.record(from: $0, in: originsCollection) }
        }
        if let known = origins.first(where: { $0.values["fingerprint"]?.stringValue == fingerprint }) {
            _ = try await records.update(in: SystemCollections.authOriginsID, id: known.id, input: RecordInput([:]), request: Self.system)
            return
        }
        let email = record.values["email"]?.stringValue ?? ""
        if !origins.isEmpty && !email.isEmpty {
            try await sendTemplate(
                "authAlert", to: email, record: record, collection: collection,
                values: ["ALERT_INFO": "\(DateTime.now()) - \(ip) \(agent)"], inBackground: true)
        }
        if origins.count >= Self.maxAuthOrigins {
            for old in origins[(Self.maxAuthOrigins - 1)...] {
                try await records.delete(in: SystemCollections.authOriginsID, id: old.id, request: Self.system)
            }
        }
        _ = try await records.create(
            in: SystemCollections.authOriginsID,
            input: RecordInput([
                "collectionRef": .string(collection.id), "recordRef": .string(record.id), "fingerprint": .string(fingerprint),
            ]),
            request: Self.system)
    }
}

import Synchronization
import Logging
public import Foundation

/// A one-time password just issued: its id (what `request-otp` answers) and the code that was mailed.
public struct IssuedOTP: Sendable {
    public var id: String
    public var password: String
    public var expires: Date
}

extension AccountService {
    static let invalidOTP = SwiftbaseError.badRequest("Invalid or expired OTP.")

    /// Whether OTP login is on for a collection, with its code length and lifetime in seconds.
    public static func otpOptions(_ collection: CollectionModel) -> (enabled: Bool, length: Int, duration: Int) {
        let otp = collection.auth?.extra["otp"]
        let length = otp?["length"]?.doubleValue.map { Int(saturating: $0) } ?? 8
        let duration = otp?["duration"]?.doubleValue.map { Int(saturating: $0) } ?? 180
        return (otp?["enabled"]?.boolValue ?? false, max(1, length), max(1, duration))
    }

    static func requireOTPEnabled(_ collection: CollectionModel) throws {
        guard otpOptions(collection).enabled else {
            throw SwiftbaseError.forbidden("The collection is not configured to allow OTP authentication.")
        }
    }

    /// `request-otp`: mails a code and answers the OTP's id. An unknown email gets a random id and no mail,
    /// so the answer says nothing about which accounts exist.
    public func requestOTP(collection idOrName: String, email: String) async throws -> String {
        let collection = try authCollection(idOrName)
        try Self.requireOTPEnabled(collection)
        try Self.requireValidEmail(email)
        guard let record = try await auth.findRecord(email: email, in: collection) else {
            return Identifiers.randomString(pattern: "[a-z0-9]{15}")
        }
        // Past ten live codes for one record, the newest is answered again instead of minting more.
        let live = try await liveOTPs(for: record, in: collection)
        if live.count > 9, let newest = live.first { return newest.id }
        let issued = try await issueOTP(for: record, in: collection, sentTo: email)
        let records = self.records
        let otpID = issued.id
        do {
            // A code that never left is deleted, so it cannot be guessed at.
            try await sendTemplate(
                "otp", to: email, record: record, collection: collection,
                values: ["OTP": issued.password, "OTP_ID": issued.id], inBackground: true,
                onFailure: { try? await records.delete(in: SystemCollections.otpsID, id: otpID, request: Self.system) })
        } catch {
            logger.error("failed to send OTP email", metadata: ["sb.error": "\(error)"])
            try? await records.delete(in: SystemCollections.otpsID, id: issued.id, request: Self.system)
        }
        return issued.id
    }

    /// Creates an OTP for `record` (stored hashed in `_otps`) without sending it: `request-otp` mails it, the
    /// CLI prints it.
    public func issueOTP(for record: RecordModel, in collection: CollectionModel, sentTo: String) async throws
        -> IssuedOTP
    {
        let options = Self.otpOptions(collection)
        let password = RandomString.make(length: options.length, alphabet: Array("0123456789"))
        let otp = try await records.create(
            in: SystemCollections.otpsID,
            input: RecordInput([
                "collectionRef": .string(collection.id), "recordRef": .string(record.id),
                "password": .string(password), "sentTo": .string(sentTo),
            ]),
            request: Self.system)
        return IssuedOTP(id: otp.id, password: password, expires: auth.clock.now.addingTimeInterval(Double(options.duration)))
    }

    /// `auth-with-otp`: the record the code was issued to, once the code matches. The OTP is spent on
    /// success. Attempts are limited per record and client address (`OTPAttemptWindow`), not per OTP. A code
    /// mailed to the record's own address proves that address: the record becomes verified.
    public func authWithOTP(collection idOrName: String, otpId: String, password: String, clientIP: String)
        async throws -> RecordModel
    {
        let collection = try authCollection(idOrName)
        try Self.requireOTPEnabled(collection)
        var errors: [String: ErrorItem] = [:]
        if otpId.isEmpty { errors["otpId"] = .required } else if otpId.count > 255 {
            errors["otpId"] = .lengthOutOfRange(min: 1, max: 255)
        }
        if password.isEmpty { errors["password"] = .required } else if password.count > 71 {
            errors["password"] = .lengthOutOfRange(min: 1, max: 71)
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(Self.validationFailed, .items(errors)) }

        guard let otp = try await storedOTP(otpId), otp.values["collectionRef"]?.stringValue == collection.id
        else { throw Self.invalidOTP }
        if Self.hasExpired(otp, duration: Self.otpOptions(collection).duration, now: auth.clock.now) { throw Self.invalidOTP }
        guard let recordID = otp.values["recordRef"]?.stringValue,
            let record = try await auth.findRecord(id: recordID, in: collection)
        else { throw Self.invalidOTP }
        // Counted before the hash is checked, so concurrent guesses cannot all pass the limit while the first
        // ones are still hashing.
        guard otpAttempts.take(recordID: record.id, clientIP: clientIP, now: auth.clock.now) else {
            throw SwiftbaseError(.tooManyRequests, "Too many attempts, please try again later with a new OTP.")
        }
        let matches = try await records.passwords.verify(password, hash: otp.values["password"]?.stringValue ?? "")
        guard matches else { throw Self.invalidOTP }
        try? await records.delete(in: SystemCollections.otpsID, id: otpId, request: Self.system)

        let sentTo = otp.values["sentTo"]?.stringValue ?? ""
        guard record.values["verified"]?.boolValue != true, !sentTo.isEmpty,
            sentTo == record.values["email"]?.stringValue
        else { return record }
        var values: [String: JSONValue] = ["verified": true]
        if collection.auth?.extra["mfa"]?["enabled"]?.boolValue != true {
            let random = Self.randomPassword()
            values["password"] = random
            values["passwordConfirm"] = random
        }
        do {
            try await save(values, on: record, in: collection)
        } catch {
            logger.error("failed to mark record verified after OTP", metadata: ["sb.error": "\(error)"])
            return record
        }
        // The save rotated tokenKey; the auth token must be signed with the new one.
        return try await auth.findRecord(id: record.id, in: collection) ?? record
    }

    // MARK: - Helpers

    func storedOTP(_ id: String) async throws -> RecordModel? {
        guard let otps = records.registry.snapshot.collection(SystemCollections.otpsID) else { return nil }
        return try await records.store.read { conn in
            try conn.row(RecordService.selectByID(id, otps)).map { RecordRow.storedRecord(from: $0, in: otps) }
        }
    }

    /// Unexpired OTPs of a record, newest first.
    func liveOTPs(for record: RecordModel, in collection: CollectionModel) async throws -> [RecordModel] {
        guard let otps = records.registry.snapshot.collection(SystemCollections.otpsID) else { return [] }
        let query = SQLFragment(
            unsafeRaw: #"SELECT * FROM "_otps" WHERE "collectionRef" = ? AND "recordRef" = ? ORDER BY "created" DESC"#,
            arguments: [.text(collection.id), .text(record.id)])
        let duration = Self.otpOptions(collection).duration
        return try await records.store.read { conn in
            try conn.rows(query).map { RecordRow.record(from: $0, in: otps) }
        }.filter { [now = auth.clock.now] in !Self.hasExpired($0, duration: duration, now: now) }
    }

    static func hasExpired(_ otp: RecordModel, duration: Int, now: Date) -> Bool {
        guard let created = otp.values["created"]?.stringValue.flatMap(DateTime.parse) else { return true }
        return created.addingTimeInterval(Double(duration)) < now
    }
}

import SwiftbaseCore

/// What a batch item may do: the four record writes, recognised by method and exact URL shape —
/// `POST|PUT /api/collections/{c}/records` (create, upsert) and `PATCH|DELETE /api/collections/{c}/records/{id}`
/// (update, delete), each optionally followed by `?query`. Anything else is no action.
struct BatchAction: Equatable {
    enum Kind: Equatable {
        case create, upsert
        case update(String)
        case delete(String)
    }

    let kind: Kind
    let collection: String
    /// The raw query string after `?`, if any.
    let query: String?

    init?(method: String, url: String) {
        let path: Substring
        if let mark = url.firstIndex(of: "?") {
            path = url[..<mark]
            query = String(url[url.index(after: mark)...])
        } else {
            path = Substring(url)
            query = nil
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "api", "collections", c, "records"[, id]
        guard parts.count == 5 || parts.count == 6, parts[0].isEmpty, parts[1] == "api", parts[2] == "collections",
            !parts[3].isEmpty, parts[4] == "records"
        else { return nil }
        collection = String(parts[3])
        switch (method, parts.count == 6 ? String(parts[5]) : nil) {
        case ("POST", nil): kind = .create
        case ("PUT", nil): kind = .upsert
        case ("PATCH", let id?) where !id.isEmpty: kind = .update(id)
        case ("DELETE", let id?) where !id.isEmpty: kind = .delete(id)
        default: return nil
        }
    }

    /// The method rules see: upserts run as the create or update they become (POST here; see `prepareUpsert`).
    var method: String {
        switch kind {
        case .create, .upsert: "POST"
        case .update: "PATCH"
        case .delete: "DELETE"
        }
    }

    var recordAction: RecordAction {
        switch kind {
        case .create: .create
        case .upsert: .create
        case .update: .update
        case .delete: .delete
        }
    }
}

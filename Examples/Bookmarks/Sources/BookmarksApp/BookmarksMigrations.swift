import Swiftbase

/// The app's collections, shipped with its binary: applied once per data directory, in order.
enum BookmarksMigrations {
    static let all = [createBookmarks, createHosts]

    /// Bookmarks belong to a user; each user sees and changes only their own.
    static let createBookmarks = Migration("2026_12_05_001_bookmarks") { tx in
        let users = tx.schema.collection("users").map(\.id) ?? "_pb_users_auth_"
        try tx.createCollection([
            "name": "bookmarks",
            "listRule": "owner = @request.auth.id",
            "viewRule": "owner = @request.auth.id",
            "createRule": "@request.auth.id != '' && owner = @request.auth.id",
            "updateRule": "owner = @request.auth.id",
            "deleteRule": "owner = @request.auth.id",
            "fields": [
                ["name": "url", "type": "url", "required": true],
                ["name": "title", "type": "text", "max": 200],
                ["name": "host", "type": "text"],
                ["name": "owner", "type": "relation", "collectionId": .string(users), "maxSelect": 1, "required": true,
                 "cascadeDelete": true],
                ["name": "expires", "type": "date"],
                ["name": "created", "type": "autodate", "onCreate": true],
            ],
        ])
    }

    /// How many bookmarks point at each host, kept by an after-commit hook; anyone may read it.
    static let createHosts = Migration("2026_12_05_002_hosts") { tx in
        try tx.createCollection([
            "name": "hosts", "listRule": "", "viewRule": "",
            "fields": [
                ["name": "name", "type": "text", "required": true],
                ["name": "bookmarks", "type": "number", "onlyInt": true],
            ],
            "indexes": ["CREATE UNIQUE INDEX idx_hosts_name ON hosts (name)"],
        ])
        try tx.createRecord(in: "hosts", ["name": "swift.org", "bookmarks": 0])
    }
}

import Foundation
import Swiftbase

/// What happens around bookmark writes.
enum BookmarkHooks {
    static func install(on hooks: RecordHooks, records: RecordService) {
        // Before the write, inside its transaction: only web links, and the host (and a missing title) filled in.
        hooks.onRecordCreate("bookmarks") { event in try enrich(&event) }
        hooks.onRecordUpdate("bookmarks") { event in try enrich(&event) }
        // After commit, in order: keep the per-host counts.
        hooks.onRecordAfterCommit("bookmarks") { change in
            try await HostCounts.apply(change, records: records)
        }
    }

    static func enrich(_ event: inout RecordWriteEvent) throws {
        let url = event.record["url"]?.stringValue ?? ""
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw event.invalid(["url": ErrorItem("validation_web_url", "Only http and https links can be bookmarked.")])
        }
        event.record.values["host"] = .string(host.lowercased())
        if (event.record["title"]?.stringValue ?? "").isEmpty {
            event.record.values["title"] = .string(host.lowercased())
        }
    }
}

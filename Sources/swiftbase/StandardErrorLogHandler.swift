import Foundation
import Logging

/// Log lines on standard error: `<ISO 8601 time> <level> <label>: [key=value …] [<source>] <message>`.
///
/// Swift-log's `StreamLogHandler` formats its metadata into a string every time a key is set; Hummingbird
/// sets one (`hb.request.id`) on every request, so that formatting ran per request even when nothing was
/// logged. Here metadata is only a dictionary until a line is actually written.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let own = event.metadata { all.merge(own) { _, new in new } }
        let line = Self.line(
            time: Date(), level: event.level, label: label, metadata: all, source: event.source,
            message: event.message.description)
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// One formatted line, newline included; metadata keys in sorted order so lines compare across runs.
    static func line(
        time: Date, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> String {
        var line = time.formatted(.iso8601) + " \(level) \(label):"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key]!)"
        }
        line += " [\(source)] \(message)\n"
        return line
    }
}

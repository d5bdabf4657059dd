/// One entry of the change feed as readers get it: the change-log row with the record as stored then — the
/// JSON the REST API showed a superuser at that moment — kept as text, never re-encoded.
public struct ChangeFeedEntry: Sendable, Equatable {
    public var seq: Int64
    public var created: String
    public var collectionId: String
    public var collectionName: String
    public var recordId: String
    public var action: String
    /// The record's JSON, as logged.
    public var recordJSON: String
    /// The id of the authenticated record (or API key) that made the change; `""` for guests and the system.
    public var actor: String

    /// `{"seq","created","collection","collectionId","recordId","action","record","actor"}`, written by hand so
    /// `seq` stays an exact integer and the logged record is spliced in as it is.
    public var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(recordJSON.utf8.count + 256)
        write(into: &out)
        return out
    }

    package func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        for (key, value) in [
            ("created", created), ("collection", collectionName), ("collectionId", collectionId),
            ("recordId", recordId), ("action", action),
        ] {
            out.append(contentsOf: #",""#.utf8)
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: #"":"#.utf8)
            JSONWriter.write(.string(value), into: &out)
        }
        out.append(contentsOf: #","record":"#.utf8)
        out.append(contentsOf: recordJSON.utf8)
        out.append(contentsOf: #","actor":"#.utf8)
        JSONWriter.write(.string(actor), into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

/// A page of the feed: the entries and the cursor to read on from. `next` passes every entry this read
/// looked at, matching or not, so a filtered reader does not scan the same rows again.
public struct ChangeFeedPage: Sendable {
    public var entries: [ChangeFeedEntry]
    public var next: Int64

    /// `{"items":[…],"next":N}`.
    public var json: [UInt8] {
        var out: [UInt8] = Array(#"{"items":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            entry.write(into: &out)
        }
        out.append(contentsOf: #"],"next":"#.utf8)
        out.append(contentsOf: String(next).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

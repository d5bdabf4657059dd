extension TimeSeriesResult {
    /// ``json`` written straight to bytes, byte for byte what `JSONWriter` writes for it (keys in byte order,
    /// numbers as Go writes them) without building a `JSONValue` tree: a day at one-minute step is thousands of
    /// items, each a few small objects.
    public var encoded: [UInt8] {
        let groupKeys = Self.sortedUnique(query.groupBy.enumerated().map { ($1, $0) })
        let fields = Self.sortedUnique(
            (query.fields ?? layout.values).compactMap { name in layout.values.firstIndex(of: name).map { (name, $0) } })
        let aggregates = query.aggregates.sorted { $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(64 + buckets.count * (48 + fields.count * aggregates.count * 16))
        out.append(contentsOf: #"{"items":["#.utf8)
        for (index, bucket) in buckets.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"group":{"#.utf8)
            for (k, key) in groupKeys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key.name, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.writeString(bucket.group[key.index], into: &out)
            }
            out.append(contentsOf: #"},"time":"#.utf8)
            JSONWriter.writeString(TimeSeriesClock.text(bucket.time), into: &out)
            out.append(contentsOf: #","values":{"#.utf8)
            let cell = bucket.cell
            for (f, field) in fields.enumerated() {
                if f > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(field.name, into: &out)
                out.append(contentsOf: #":{"#.utf8)
                let i = field.index
                for (a, aggregate) in aggregates.enumerated() {
                    if a > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: aggregate.rawValue.utf8)
                    out.append(contentsOf: #"":"#.utf8)
                    let number =
                        switch aggregate {
                        case .avg: cell.sums[i] / Double(cell.count)
                        case .min: cell.mins[i]
                        case .max: cell.maxs[i]
                        case .count: Double(cell.count)
                        case .sum: cell.sums[i]
                        case .last: cell.lasts[i]
                        }
                    JSONWriter.writeNumber(number, into: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: #"],"source":"#.utf8)
        JSONWriter.writeString(source, into: &out)
        out.append(contentsOf: #","step":"#.utf8)
        JSONWriter.writeNumber(Double(query.step / 1000), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Names with an index each, one per name (the first), in byte order: what a JSON object of them lists.
    private static func sortedUnique(_ items: [(name: String, index: Int)]) -> [(name: String, index: Int)] {
        var seen = Set<String>()
        return items.filter { seen.insert($0.name).inserted }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}

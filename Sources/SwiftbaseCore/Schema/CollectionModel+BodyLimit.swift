extension CollectionModel {
    /// How many bytes a record create or update body may carry on top of the server's base limit: each editor
    /// and json field may hold its `maxSize` (5 MiB and 1 MiB when unset) and each file field `maxSelect` files
    /// of `maxSize` (5 MiB when unset), as PocketBase raises its limit per collection. Views accept no writes.
    public var extraRecordBodyAllowance: Int {
        guard type != .view else { return 0 }
        var total = 0
        for field in fields {
            switch field.options {
            case .editor(let o): total += o.maxSize > 0 ? o.maxSize : 5 << 20
            case .json(let o): total += o.maxSize > 0 ? o.maxSize : 1 << 20
            case .file(let o): total += (o.maxSize > 0 ? o.maxSize : 5 << 20) * max(1, o.maxSelect)
            default: break
            }
        }
        return total
    }
}

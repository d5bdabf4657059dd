/// SQL that creates and migrates the table behind a collection: one column per field, indexes rebuilt
/// from their parsed definitions. All statements run inside the caller's transaction, so a failed schema
/// change leaves the table as it was.
package enum TableDDL {
    /// `CREATE TABLE` plus the collection's indexes.
    package static func create(_ collection: CollectionModel, in dialect: any SQLDialect) -> [SQLFragment] {
        createTable(collection, in: dialect) + createIndexes(collection)
    }

    /// `CREATE TABLE` alone.
    package static func createTable(_ collection: CollectionModel, in dialect: any SQLDialect) -> [SQLFragment] {
        let columns = collection.fields.map { field in
            quoteIdentifier(field.name) + " " + field.options.behavior.columnDefinition(for: field, in: dialect)
        }
        return [
            SQLFragment(unsafeRaw: "CREATE TABLE \(quoteIdentifier(collection.name)) (\(columns.joined(separator: ", ")))")
        ]
    }

    package static func createIndexes(_ collection: CollectionModel) -> [SQLFragment] {
        collection.indexes.compactMap { IndexDefinition(parsing: $0) }.map { createIndex($0, of: collection) }
    }

    /// One index of `collection`, on its table whatever table the definition names.
    package static func createIndex(_ index: IndexDefinition, of collection: CollectionModel) -> SQLFragment {
        SQLFragment(unsafeRaw: index.statement(onTable: collection.name))
    }

    package static func dropIndexes(_ collection: CollectionModel) -> [SQLFragment] {
        collection.indexes.compactMap { IndexDefinition(parsing: $0) }.map {
            SQLFragment(unsafeRaw: "DROP INDEX IF EXISTS \(quoteIdentifier($0.name))")
        }
    }

    package static func drop(_ collection: CollectionModel) -> [SQLFragment] {
        dropIndexes(collection) + [SQLFragment(unsafeRaw: "DROP TABLE IF EXISTS \(quoteIdentifier(collection.name))")]
    }

    /// Migrates the table of `old` to the shape of `new`: fields are matched by id, so a renamed field keeps
    /// its data; removed fields are dropped, new ones added with their zero default.
    package static func migrate(from old: CollectionModel, to new: CollectionModel, in dialect: any SQLDialect)
        -> [SQLFragment]
    {
        migrateTable(from: old, to: new, in: dialect) + createIndexes(new)
    }

    /// `migrate` up to its new indexes: the old ones dropped, the table changed.
    package static func migrateTable(from old: CollectionModel, to new: CollectionModel, in dialect: any SQLDialect)
        -> [SQLFragment]
    {
        var out = dropIndexes(old)
        let table = quoteIdentifier(new.name)
        if old.name != new.name {
            out.append(SQLFragment(unsafeRaw: "ALTER TABLE \(quoteIdentifier(old.name)) RENAME TO \(table)"))
        }
        let newIDs = Set(new.fields.map(\.id))
        for field in old.fields where !newIDs.contains(field.id) {
            out.append(SQLFragment(unsafeRaw: "ALTER TABLE \(table) DROP COLUMN \(quoteIdentifier(field.name))"))
        }
        // Renames go through temporary names so swapping two field names cannot collide.
        var renamed: [(temp: String, final: String)] = []
        for field in new.fields {
            guard let before = old.field(withID: field.id), before.name != field.name else { continue }
            let temp = "_sb_tmp_" + field.id
            out.append(
                SQLFragment(
                    unsafeRaw:
                        "ALTER TABLE \(table) RENAME COLUMN \(quoteIdentifier(before.name)) TO \(quoteIdentifier(temp))"))
            renamed.append((temp, field.name))
        }
        for (temp, final) in renamed {
            out.append(
                SQLFragment(
                    unsafeRaw: "ALTER TABLE \(table) RENAME COLUMN \(quoteIdentifier(temp)) TO \(quoteIdentifier(final))"))
        }
        for field in new.fields where old.field(withID: field.id) == nil {
            let definition = field.options.behavior.columnDefinition(for: field, in: dialect)
            out.append(
                SQLFragment(
                    unsafeRaw: "ALTER TABLE \(table) ADD COLUMN \(quoteIdentifier(field.name)) \(definition)"))
        }
        return out
    }
}

/// The JSON object a transport wants for each record of a list, described without SQL: which stored fields
/// under which keys, which constants, which related records (to-one relations, back-relations) with their own
/// projection. `RecordService.listJSON` has the database build it in one statement, related records included,
/// so they are never decoded into records and encoded again (Hasura's and pg_graphql's way).
///
/// Keys appear in the order given; the same key twice is the caller's mistake (the last one wins in JSON).
package struct RecordProjection: Sendable {
    package enum Member: Sendable {
        /// A constant JSON string (`__typename`, `collectionName`).
        case constant(key: String, text: String)
        /// A stored field read as `kind` (`id` is a text field).
        case field(key: String, name: String, kind: JSONColumnKind)
        /// An auth collection's `email`: `null` unless the requester may see it, as `RecordEncoder` decides.
        case email(key: String)
        /// The record a single relation field points to, if the requester may view it, else `null`.
        case toOne(key: String, field: FieldModel, target: CollectionModel, projection: RecordProjection)
        /// The records of `source` whose single relation `field` points here, those the requester may view,
        /// as a list (PocketBase's `<source>_via_<field>` expand), or each record's own page of them (`slice`).
        case backRelation(
            key: String, source: CollectionModel, field: FieldModel, projection: RecordProjection, slice: ExpandSlice?)
    }

    package var members: [Member]

    package init(_ members: [Member]) {
        self.members = members
    }
}

/// What a client asked to see of the records it gets back: the relations to `expand` and the `fields`
/// projection, as PocketBase's query parameters spell them (`expand=author,comments_via_post`,
/// `fields=id,title:excerpt(80),expand.author.name`).
///
/// ```swift
/// let presentation = try RecordPresentation(expand: query["expand"], fields: query["fields"])
/// ```
public struct RecordPresentation: Sendable, Equatable {
    /// The relation paths to load; empty loads none.
    package var expand: ExpandTree
    /// Which keys of each answer to keep; nil keeps them all.
    package var fields: FieldsProjection.Spec?

    /// Nothing expanded, every field kept.
    public static let full = RecordPresentation(expand: ExpandTree(), fields: nil)

    /// Parses `expand` and `fields` (nil or empty: none). Either one malformed or too long is PocketBase's
    /// generic 400.
    public init(expand: String? = nil, fields: String? = nil) throws(SwiftbaseError) {
        self.expand = try RecordExpander.parse(expand ?? "")
        if let fields, !fields.isEmpty {
            self.fields = try FieldsProjection.parse(fields)
        } else {
            self.fields = nil
        }
    }

    /// Already parsed options, for callers that treat a malformed value their own way (realtime delivers a
    /// malformed `fields` unprojected).
    package init(expand: ExpandTree, fields: FieldsProjection.Spec?) {
        self.expand = expand
        self.fields = fields
    }

    /// `value` with the `fields` projection applied.
    package func projected(_ value: JSONValue) -> JSONValue {
        guard let fields else { return value }
        return FieldsProjection.apply(fields, to: value)
    }
}

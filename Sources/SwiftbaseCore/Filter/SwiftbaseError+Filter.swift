// The errors the filter language throws. Clients only ever see PocketBase's generic 400 (or the 403 for
// superuser-only references); the precise cause goes to `debugDetail`, which is logged, never sent.

extension SwiftbaseError {
    /// A filter or sort that does not parse, resolve or compile: 400 with PocketBase's generic message and `data: {}`.
    static func invalidFilter(_ detail: String) -> SwiftbaseError {
        var error = SwiftbaseError.badRequest()
        error.debugDetail = "filter: " + detail
        return error
    }

    /// `@collection.*` used by a non-superuser client filter or sort.
    static let collectionReferenceForbidden = SwiftbaseError.forbidden("Only superusers can filter by @collection.")

    /// `@request.*` used by a non-superuser client filter or sort.
    static let requestReferenceForbidden = SwiftbaseError.forbidden("Only superusers can filter by @request.")
}

package import SwiftbaseCore

/// A decoded request body, whatever its content type.
///
/// `values` holds the plain values keyed exactly as sent, modifier keys included (`"tags+"`, `"+tags"`,
/// `"n-"`). For form bodies (multipart and urlencoded) each value is already type-inferred as PocketBase does
/// (see ``RequestBodyDecoder``), a repeated key is an array, and a `@jsonPayload` part has been merged over
/// the plain values. `files` holds multipart parts that carried a file name, per part name, in body order.
package struct RequestBody: Sendable, Equatable {
    package var values: [String: JSONValue]
    package var files: [String: [UploadedFile]]
    /// `true` for `multipart/form-data` and `application/x-www-form-urlencoded` bodies, whose plain values
    /// started as strings (field types such as `json` treat those differently).
    package var isForm: Bool

    package init(values: [String: JSONValue] = [:], files: [String: [UploadedFile]] = [:], isForm: Bool = false) {
        self.values = values
        self.files = files
        self.isForm = isForm
    }
}

/// One uploaded file from a multipart body.
package struct UploadedFile: Sendable, Equatable {
    /// The last path component of the submitted file name (never empty).
    package var filename: String
    /// The part's own `Content-Type` header, verbatim, if it had one.
    package var contentType: String?
    package var data: [UInt8]

    package init(filename: String, contentType: String?, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

extension RequestBody {
    /// The body as a record create or update receives it, files included.
    var recordInput: RecordInput {
        RecordInput(values, isForm: isForm, files: files.mapValues { $0.map(\.fileUpload) })
    }
}

extension UploadedFile {
    var fileUpload: FileUpload { FileUpload(originalName: filename, data: data) }
}

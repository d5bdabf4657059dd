// What an app needs to embed Swiftbase comes with `import Swiftbase`: the core's types (records, hooks,
// migrations, errors) and the HTTP module's request context and responses.
@_exported public import SwiftbaseCore
@_exported public import SwiftbaseHTTP

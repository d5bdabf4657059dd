/// What one client may cost the server in connections and time, as nginx and PostgreSQL bound it: a bad
/// client costs itself, never the others.
public struct ConnectionLimits: Sendable {
    /// A new connection must send a whole request head within this, or it is closed (slowloris, silent
    /// sockets). nginx's `client_header_timeout`.
    public var headerTimeout: Duration
    /// A keep-alive connection with no request in progress, or a request body that stalls, is closed after
    /// this. Streams (realtime) that are answering are never idle.
    public var idleTimeout: Duration
    /// Connections served at once. Past it, the connection idle the longest (no request yet, or kept alive
    /// between requests) is closed to make room; when there is none, a new request is answered 503 with
    /// `Retry-After`.
    public var maxConnections: Int

    public init(headerTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60), maxConnections: Int) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// Connections that fit under an open-files limit of `openFiles`, leaving a reserve for the database's
    /// files, the event loops' own descriptors, uploads, backups and the connections accepted past the limit
    /// only to be answered 503 (`acceptLimit`).
    public static func maxConnections(forOpenFiles openFiles: Int) -> Int {
        let reserve = max(96, openFiles / 8)
        return max(16, openFiles - reserve)
    }

    /// Past this many open connections the server stops accepting (new ones wait in the listen backlog)
    /// instead of running out of descriptors: `maxConnections` plus a margin in which the overflow is told 503.
    public var acceptLimit: Int { maxConnections + max(8, maxConnections / 16) }
}

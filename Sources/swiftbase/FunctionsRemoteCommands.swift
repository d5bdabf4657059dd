import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where a running server is and how to act on it as a superuser: `--url`, and `--token` or `--email` +
/// `--password` (also read from `SB_URL`, `SB_TOKEN`, `SB_EMAIL`, `SB_PASSWORD`).
struct ServerArguments: ParsableArguments {
    @Option(help: "The server's address (default: $SB_URL or http://127.0.0.1:8090).")
    var url: String?

    @Option(help: "A superuser's auth token (default: $SB_TOKEN).")
    var token: String?

    @Option(help: "A superuser's email, to sign in with --password (default: $SB_EMAIL).")
    var email: String?

    @Option(help: "The superuser's password (default: $SB_PASSWORD).")
    var password: String?

    var baseURL: String {
        let url = url ?? ProcessInfo.processInfo.environment["SB_URL"] ?? "http://127.0.0.1:8090"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The token to send: the given one, or one from signing in.
    func authorization() async throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let token = token ?? environment["SB_TOKEN"], !token.isEmpty { return token }
        guard let email = email ?? environment["SB_EMAIL"], let password = password ?? environment["SB_PASSWORD"] else {
            throw ValidationError("Give --token, or --email and --password (or SB_TOKEN / SB_EMAIL and SB_PASSWORD).")
        }
        let body = try JSONSerialization.data(withJSONObject: ["identity": email, "password": password])
        let answer = try await send(
            "POST", "/api/collections/_superusers/auth-with-password", body: Array(body),
            contentType: "application/json", token: nil)
        guard let token = (answer as? [String: Any])?["token"] as? String else {
            throw ValidationError("Signing in did not answer a token.")
        }
        return token
    }

    /// Sends one request and answers its JSON (nil for an empty body); a non-2xx answer throws with its message.
    func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil, token: String?)
        async throws -> Any?
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: token) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let json = bytes.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        guard (200..<300).contains(response.status.code) else {
            let message = (json as? [String: Any])?["message"] as? String ?? "HTTP \(response.status.code)"
            var details = ""
            if let data = (json as? [String: Any])?["data"], let text = try? JSONSerialization.data(withJSONObject: data),
                text.count > 2
            {
                details = " " + String(decoding: text, as: UTF8.self)
            }
            throw ValidationError("\(method) \(path): \(response.status.code) \(message)\(details)")
        }
        return json
    }
}

/// `swiftbase functions deploy NAME FILE.wasm [--config FILE.json]` — deploys through a running server's API.
struct FunctionsDeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploys a .wasm module as a new version of a function on a running server.")

    @Argument(help: "The function's name.")
    var name: String

    @Argument(help: "The module: a .wasm file.")
    var module: String

    @Option(help: "The function's config: a JSON file (triggers, config, limits, runAs, allowedHosts).")
    var config: String?

    @OptionGroup var server: ServerArguments

    func run() async throws {
        let token = try await server.authorization()
        var form = MultipartForm()
        form.add("name", Array(name.utf8))
        form.add("module", Array(try Data(contentsOf: URL(fileURLWithPath: module))), filename: "\(name).wasm")
        if let config { form.add("config", Array(try Data(contentsOf: URL(fileURLWithPath: config)))) }
        let answer = try await server.send(
            "POST", "/api/functions", body: form.body, contentType: form.contentType, token: token)
        let function = answer as? [String: Any] ?? [:]
        print("deployed \(function["name"] ?? name) version \(function["version"] ?? "?")")
    }
}

/// `swiftbase functions list` — the functions of a running server.
struct FunctionsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists a running server's functions.")

    @OptionGroup var server: ServerArguments

    func run() async throws {
        let answer = try await server.send("GET", "/api/functions", token: try await server.authorization())
        let items = (answer as? [String: Any])?["items"] as? [[String: Any]] ?? []
        if items.isEmpty { print("no functions") }
        for item in items {
            let triggers = (item["triggers"] as? [[String: Any]] ?? []).map { trigger -> String in
                let type = trigger["type"] as? String ?? "?"
                switch type {
                case "record": return "record:\(trigger["collection"] ?? "?"):\(trigger["when"] ?? "?")"
                case "cron": return "cron:\(trigger["schedule"] ?? "?")"
                default: return type
                }
            }
            let active = item["active"] as? Bool == true ? "" : " (stopped)"
            print("\(item["name"] ?? "?")  v\(item["version"] ?? "?")  \(item["source"] ?? "?")  \(triggers.joined(separator: ", "))\(active)")
        }
    }
}

/// `swiftbase functions logs NAME` — a function's recent log lines, oldest first.
struct FunctionsLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Prints a function's recent log lines.")

    @Argument(help: "The function's name.")
    var name: String

    @Option(help: "How many lines, at most.")
    var limit: Int = 100

    @OptionGroup var server: ServerArguments

    func run() async throws {
        let path = "/api/functions/\(name)/logs?limit=\(limit)"
        let answer = try await server.send("GET", path, token: try await server.authorization())
        let items = (answer as? [String: Any])?["items"] as? [[String: Any]] ?? []
        for item in items.reversed() {
            let trigger = (item["trigger"] as? String).map { $0.isEmpty ? "" : " [\($0)]" } ?? ""
            print("\(item["time"] ?? "") \(item["level"] ?? "")\(trigger) \(item["message"] ?? "")")
        }
    }
}

/// A `multipart/form-data` body.
struct MultipartForm {
    let boundary = "swiftbase-" + UUID().uuidString
    private var parts: [[UInt8]] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, _ value: [UInt8], filename: String? = nil) {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
        if let filename { head += "; filename=\"\(filename)\"\r\nContent-Type: application/wasm" }
        head += "\r\n\r\n"
        parts.append(Array(head.utf8) + value + Array("\r\n".utf8))
    }

    var body: [UInt8] { parts.flatMap { $0 } + Array("--\(boundary)--\r\n".utf8) }
}

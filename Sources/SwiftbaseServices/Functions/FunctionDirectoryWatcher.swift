public import Foundation
public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Deploys the functions of a folder, PocketBase's `pb_hooks` habit: `NAME.wasm` with an optional `NAME.json`
/// (the config) at start and again whenever either changes (checked every `interval`); a `NAME.wasm` that goes
/// away deletes the function — if it came from the folder (one deployed over the API is left alone).
///
/// A file that does not deploy (an invalid module, a bad config, a file still being written) is logged, and the
/// running version stays; it is tried again when the file changes.
public struct FunctionDirectoryWatcher: Service {
    let directory: URL
    let functions: FunctionService
    let interval: Duration
    let logger: Logger

    public init(directory: URL, functions: FunctionService, interval: Duration = .seconds(1), logger: Logger) {
        self.directory = directory
        self.functions = functions
        self.interval = interval
        self.logger = logger
    }

    /// What a function's files looked like when last deployed (or tried).
    struct Stamp: Equatable {
        var module: [UInt8]
        var config: [UInt8]?
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Functions from files that went while the server was down are deleted by the first scan.
            var seen: [String: Stamp] = [:]
            for (name, function) in functions.functions where function.source == .file {
                seen[name] = Stamp(module: [], config: nil)
            }
            while !Task.isCancelled {
                await scan(&seen)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deploys what changed since `seen`, deletes what went.
    func scan(_ seen: inout [String: Stamp]) async {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let names = Set(files.filter { $0.hasSuffix(".wasm") }.map { String($0.dropLast(5)) })
        for name in names.sorted() {
            let module = directory.appendingPathComponent(name + ".wasm")
            let config = directory.appendingPathComponent(name + ".json")
            guard let bytes = try? Data(contentsOf: module) else { continue }
            let stamp = Stamp(module: Array(bytes), config: (try? Data(contentsOf: config)).map(Array.init))
            guard seen[name] != stamp else { continue }
            seen[name] = stamp
            do {
                let json = try stamp.config.map { try JSONValue.parse(Data($0)) }
                if let current = functions.function(named: name), current.module.sha256 == FunctionService.sha256(stamp.module),
                    current.config == (try FunctionConfig.parse(json ?? [:], schema: nil, failure: ""))
                {
                    continue  // already running as it is (a restart)
                }
                let deployed = try await functions.deploy(name: name, module: stamp.module, config: json, source: .file)
                logger.info(
                    "function deployed from file",
                    metadata: ["sb.function": "\(name)", "sb.version": "\(deployed.version)"])
            } catch {
                logger.error(
                    "function file not deployed",
                    metadata: ["sb.function": "\(name)", "sb.file": "\(module.path)", "sb.error": "\(error)"])
            }
        }
        for name in seen.keys where !names.contains(name) {
            seen[name] = nil
            guard functions.function(named: name)?.source == .file else { continue }
            do {
                try await functions.delete(name)
                logger.info("function deleted with its file", metadata: ["sb.function": "\(name)"])
            } catch {
                logger.error("function not deleted", metadata: ["sb.function": "\(name)", "sb.error": "\(error)"])
            }
        }
    }
}

import Foundation
import Synchronization

/// Runs functions' before hooks inside record writes: one write hook for every collection, which looks up the
/// running functions with a before hook on the write's collection and action (none: it returns at once).
///
/// The hook runs on the transaction's thread and waits there for the plug-in: the transaction is what the
/// plug-in may change or refuse. Its output may set fields (`{"record": {…}}`) or refuse the write
/// (`{"error": {"status", "message", "data"}}`); a call that fails refuses it with the call's error.
enum FunctionBeforeHooks {
    static func register(on hooks: RecordHooks, functions: FunctionService) {
        for action in RecordHookAction.allCases {
            let hook: RecordHooks.WriteHook = { [weak functions] event in
                guard let functions else { return }
                try run(&event, functions: functions)
            }
            hooks.onRecordWrite(
                action,
                interested: { [weak functions] collection, action in
                    functions.map { !$0.beforeHooks(for: collection, action).isEmpty } ?? false
                }, hook: hook)
        }
    }

    static func run(_ event: inout RecordWriteEvent, functions: FunctionService) throws {
        let collection = event.collection
        let action = event.action
        let matching = functions.beforeHooks(for: collection, action)
        guard !matching.isEmpty else { return }
        let schema = functions.registry.snapshot
        for (function, hook) in matching {
            let input = FunctionInputs.recordHook(
                action: action.rawValue, collection: collection, record: event.record, original: event.original,
                auth: event.request.auth, schema: schema)
            let call = FunctionCall(
                trigger: "record", export: hook.export, input: input,
                identity: function.config.runAs(for: .record(hook)).identity(
                    function: function.name, caller: event.request.auth),
                allowsRecordCalls: false)
            let output = try waitFor(function.name, call, engine: functions.engine)
            try apply(output, to: &event, function: function.name)
        }
    }

    /// Calls the plug-in on this thread (the write transaction's, not a task's: it waits either way), or, when the
    /// function has no free slot now, through the engine's queue, waiting for the answer.
    private static func waitFor(_ name: String, _ call: FunctionCall, engine: any FunctionEngine) throws -> [UInt8] {
        do throws(FunctionCallError) {
            if let output = try engine.callOnCurrentThread(name, call) { return output }
        } catch {
            throw error.swiftbaseError(function: name)
        }
        let answer = BlockingAnswer()
        Task {
            do throws(FunctionCallError) {
                answer.set(.success(try await engine.call(name, call)))
            } catch {
                answer.set(.failure(error))
            }
        }
        switch answer.wait() {
        case .success(let output): return output
        case .failure(let error): throw error.swiftbaseError(function: name)
        }
    }

    /// Reads a before hook's output: nothing, `{"record": {…}}` or `{"error": {…}}`.
    static func apply(_ output: [UInt8], to event: inout RecordWriteEvent, function: String) throws {
        guard !output.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return }
        guard let json = try? StrictJSONParser.parseDocument(output), let object = json.objectValue else {
            throw SwiftbaseError(
                .internalError, "Function \"\(function)\" failed: its output is not a JSON object.")
        }
        if let error = object["error"] {
            throw refusal(error, failure: event.failure)
        }
        if let record = object["record"] {
            guard let fields = record.objectValue else {
                throw SwiftbaseError(.internalError, "Function \"\(function)\" failed: \"record\" is not an object.")
            }
            guard event.action != .delete else { return }
            for (key, value) in fields where !["id", "collectionId", "collectionName", "expand"].contains(key) {
                event.record.values[key] = value
            }
        }
    }

    /// The error a hook's `{"error": {"status", "message", "data"}}` refuses the write with.
    static func refusal(_ json: JSONValue, failure: String) -> SwiftbaseError {
        let message = json["message"]?.stringValue ?? failure
        let data = errorData(json["data"] ?? .null)
        switch json["status"]?.doubleValue {
        case 403?: return SwiftbaseError(.forbidden, message, data: data)
        case 404?: return SwiftbaseError(.notFound, message, data: data)
        default: return SwiftbaseError(.badRequest, message, data: data)
        }
    }

    /// `{"field": {"code", "message"}}` (nested objects allowed) as PocketBase's error data.
    static func errorData(_ json: JSONValue) -> ErrorData {
        guard let object = json.objectValue else { return .empty }
        if let code = object["code"]?.stringValue, let message = object["message"]?.stringValue {
            return .item(ErrorItem(code, message))
        }
        return .fields(object.mapValues(errorData))
    }
}

/// One result handed from a task to a thread that waits for it.
final class BlockingAnswer: Sendable {
    private let result = Mutex<Result<[UInt8], FunctionCallError>?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func set(_ result: Result<[UInt8], FunctionCallError>) {
        self.result.withLock { $0 = result }
        ready.signal()
    }

    func wait() -> Result<[UInt8], FunctionCallError> {
        ready.wait()
        return result.withLock { $0! }
    }
}

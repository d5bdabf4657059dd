import SwiftbaseCore

/// `records_list`, `records_get`, `records_create`, `records_update` and `records_delete` in `extism:host/user`:
/// each takes the offset of a JSON request in Extism memory and returns the offset of the JSON answer, run by
/// the core's `FunctionRecordsAPI` with the call's identity.
///
/// A host function runs synchronously on the guest's thread; the records API is async, so the thread waits for
/// it (guest threads are the runtime's own, never the async pool's), running the task's resumptions itself
/// (``ThreadBoundTaskExecutor``).
enum RecordsHostFunctions {
    static func make(_ records: FunctionRecordsAPI) -> [UserHostFunction] {
        FunctionRecordsAPI.Operation.allCases.map { operation in
            UserHostFunction(operation.hostFunction) { context, arguments in
                let request = try context.bytes(at: arguments[0])
                guard let call = context.hostContext as? FunctionHostContext else {
                    return try context.allocate(FunctionRecordsAPI.unavailable(operation))
                }
                guard call.allowsRecordCalls else {
                    return try context.allocate(FunctionRecordsAPI.unavailable(operation))
                }
                let answer = ThreadBoundTaskExecutor.run {
                    await records.handle(operation, request: request, identity: call.identity)
                }
                return try context.allocate(answer)
            }
        }
    }
}

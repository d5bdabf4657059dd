internal import WasmKit

/// Turns whatever a call threw into the ``FunctionError`` its caller sees.
enum CallFailure {
    /// - Parameter pluginError: the message the guest set with `error_set` before failing, if any; as in Extism it
    ///   is the error reported for a trap (a PDK sets it, then aborts), but not for a limit or a timeout.
    static func classify(_ error: any Error, interrupt: CallInterrupt?, pluginError: String?) -> FunctionError {
        // A starved store traps with "out of fuel": the interrupt decides it was the clock.
        if interrupt?.isInterrupted == true { return FunctionError(.timeout, "timeout") }
        switch error {
        case let error as FunctionError:
            return error
        case is CallInterrupted:
            return FunctionError(.timeout, "timeout")
        case let error as MemoryLimitExceeded:
            return FunctionError(.memoryLimitExceeded, error.description)
        case let trap as Trap where "\(trap)".hasPrefix("Trap: out of fuel"):
            return FunctionError(.outOfFuel, "plugin ran out of fuel")
        default:
            break
        }
        if let pluginError { return FunctionError(.pluginFailed, pluginError) }
        switch error {
        case let exit as WASIExit:
            return FunctionError(.pluginFailed, "WASI \(exit)")
        case let fault as KernelFault:
            return FunctionError(.trap, fault.description)
        case let trap as Trap:
            // The first line; the rest is WasmKit's backtrace.
            let text = "\(trap)".split(separator: "\n", maxSplits: 1).first.map(String.init) ?? "\(trap)"
            return FunctionError(.trap, text.hasPrefix("Trap: ") ? String(text.dropFirst(6)) : text)
        case let error as WasmKitError:
            return FunctionError(.trap, "\(error)")
        default:
            return FunctionError(.hostFunctionFailed, "\(error)")
        }
    }
}

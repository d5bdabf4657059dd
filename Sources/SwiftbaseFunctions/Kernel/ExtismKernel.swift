internal import WasmKit

/// The `extism:host/env` functions: Extism's kernel (memory, input, output, errors) and its host functions
/// (config, vars, logging, HTTP), implemented over ``KernelContext`` in Swift.
///
/// Names, signatures and ownership rules follow Extism's kernel and runtime: functions that take a handle to a
/// key or message (`config_get`, `var_get`, `var_set`, `log_*`, `http_request`) free it; those that return one
/// hand the plug-in a new block (0 when there is nothing). Where Extism silently ignores a bad offset (its bounds-
/// checked `load_*`/`store_*` read 0 or do nothing, `output_set` does nothing), this kernel traps with a message
/// naming the function and the offset, so that a guest bug ends the call visibly instead of producing wrong
/// output.
enum ExtismKernel {
    static let moduleName = "extism:host/env"

    typealias Body = @Sendable (KernelContext, UnsafeBufferPointer<Value>, UnsafeMutableBufferPointer<Value>) throws
        -> Void

    struct Entry: Sendable {
        let parameters: [ValueType]
        let results: [ValueType]
        let body: Body
    }

    /// Every function a plug-in may import from `extism:host/env`, by name.
    static let functions: [String: Entry] = {
        var table: [String: Entry] = [:]
        func define(_ name: String, _ parameters: [ValueType], _ results: [ValueType], _ body: @escaping Body) {
            table[name] = Entry(parameters: parameters, results: results, body: body)
        }

        // MARK: Memory
        define("alloc", [.i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            results[0] = .i64(try context.memory.allocate(arguments[0].u64))
        }
        define("free", [.i64], []) { context, arguments, _ in
            let handle = arguments[0].u64
            context.memory.release(handle)
            // If the input block is freed, the input is gone, as in the kernel.
            if handle != 0, handle == context.inputOffset { context.inputLength = 0 }
        }
        define("length", [.i64], [.i64]) { context, arguments, results in
            results[0] = .i64(context.memory.length(of: arguments[0].u64))
        }
        define("length_unsafe", [.i64], [.i64]) { context, arguments, results in
            results[0] = .i64(context.memory.length(of: arguments[0].u64))
        }
        define("load_u8", [.i64], [.i32]) { context, arguments, results in
            results[0] = .i32(UInt32(try context.memory.loadByte(arguments[0].u64, for: "load_u8")))
        }
        define("load_u64", [.i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            results[0] = .i64(try context.memory.loadWord(arguments[0].u64, for: "load_u64"))
        }
        define("store_u8", [.i64, .i32], []) { context, arguments, _ in
            try context.memory.storeByte(UInt8(truncatingIfNeeded: arguments[1].u64), at: arguments[0].u64, for: "store_u8")
        }
        define("store_u64", [.i64, .i64], []) { context, arguments, _ in
            try context.checkInterrupt()
            try context.memory.storeWord(arguments[1].u64, at: arguments[0].u64, for: "store_u64")
        }
        define("memory_bytes", [], [.i64]) { context, _, results in
            results[0] = .i64(UInt64(context.memory.capacity))
        }
        define("reset", [], []) { context, _, _ in
            context.memory.reset()
            context.inputOffset = 0
            context.inputLength = 0
            context.outputOffset = 0
            context.outputLength = 0
            context.errorHandle = 0
        }

        // MARK: Input and output
        define("input_length", [], [.i64]) { context, _, results in
            results[0] = .i64(context.inputLength)
        }
        define("input_offset", [], [.i64]) { context, _, results in
            results[0] = .i64(context.inputOffset)
        }
        define("input_load_u8", [.i64], [.i32]) { context, arguments, results in
            let index = arguments[0].u64
            guard index < context.inputLength else {
                throw KernelFault.message(
                    "extism:host/env input_load_u8: offset \(index) is past the input's \(context.inputLength) bytes"
                )
            }
            results[0] = .i32(UInt32(try context.memory.loadByte(context.inputOffset + index, for: "input_load_u8")))
        }
        define("input_load_u64", [.i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            let index = arguments[0].u64
            guard index <= context.inputLength, context.inputLength - index >= 8 else {
                throw KernelFault.message(
                    "extism:host/env input_load_u64: 8 bytes at offset \(index) run past the input's "
                        + "\(context.inputLength) bytes"
                )
            }
            results[0] = .i64(try context.memory.loadWord(context.inputOffset + index, for: "input_load_u64"))
        }
        define("input_set", [.i64, .i64], []) { context, arguments, _ in
            let (offset, length) = (arguments[0].u64, arguments[1].u64)
            _ = try context.memory.checkedRange(offset, Int(clamping: length), for: "input_set")
            context.inputOffset = offset
            context.inputLength = length
        }
        define("output_set", [.i64, .i64], []) { context, arguments, _ in
            let (offset, length) = (arguments[0].u64, arguments[1].u64)
            if length > 0 { _ = try context.memory.checkedRange(offset, Int(clamping: length), for: "output_set") }
            context.outputOffset = length > 0 ? offset : 0
            context.outputLength = length
        }
        define("output_length", [], [.i64]) { context, _, results in
            results[0] = .i64(context.outputLength)
        }
        define("output_offset", [], [.i64]) { context, _, results in
            results[0] = .i64(context.outputOffset)
        }

        // MARK: Errors
        define("error_set", [.i64], []) { context, arguments, _ in
            let handle = arguments[0].u64
            if handle != 0 { _ = try context.memory.block(at: handle, for: "error_set") }
            context.errorHandle = handle
        }
        define("error_get", [], [.i64]) { context, _, results in
            results[0] = .i64(context.errorHandle)
        }

        // MARK: Config and vars
        define("config_get", [.i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            let key = try context.takeString(arguments[0].u64, for: "config_get")
            let value = context.options.config[key]
            results[0] = .i64(try value.map { try context.memory.allocate(copying: $0.utf8) } ?? 0)
        }
        define("var_get", [.i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            let key = try context.takeString(arguments[0].u64, for: "var_get")
            let value = context.vars[key]
            results[0] = .i64(try value.map { try context.memory.allocate(copying: $0) } ?? 0)
        }
        define("var_set", [.i64, .i64], []) { context, arguments, _ in
            try context.checkInterrupt()
            try context.setVar(key: arguments[0].u64, value: arguments[1].u64)
        }

        // MARK: Logging
        for (name, level) in [
            ("log_trace", PluginLogLevel.trace), ("log_debug", .debug), ("log_info", .info), ("log_warn", .warn),
            ("log_error", .error),
        ] {
            define(name, [.i64], []) { context, arguments, _ in
                try context.checkInterrupt()
                let handle = arguments[0].u64
                guard context.shouldLog(level) else {
                    context.memory.release(handle)
                    return
                }
                let message = try context.takeString(handle, for: "log")
                context.log(level, message)
            }
        }
        define("get_log_level", [], [.i32]) { context, _, results in
            results[0] = .i32(UInt32(bitPattern: context.options.logLevel.rawValue))
        }

        // MARK: HTTP
        define("http_request", [.i64, .i64], [.i64]) { context, arguments, results in
            try context.checkInterrupt()
            results[0] = .i64(try context.performHTTPRequest(request: arguments[0].u64, body: arguments[1].u64))
        }
        define("http_status_code", [], [.i32]) { context, _, results in
            results[0] = .i32(UInt32(bitPattern: context.lastHTTPStatus))
        }
        define("http_headers", [], [.i64]) { context, _, results in
            results[0] = .i64(try context.lastHTTPHeadersJSON())
        }
        return table
    }()

}

extension ExtismKernel.Entry {
    /// A WasmKit host function bound to `context`.
    func makeFunction(store: Store, context: KernelContext) -> Function {
        let body = body
        return Function(store: store, parameters: parameters, results: results, raw: { _, arguments, results in
            try body(context, arguments, results)
        })
    }
}

extension Value {
    /// The value as an unsigned 64-bit integer (an i32 zero-extended); WasmKit has checked the types at link time.
    @inline(__always)
    var u64: UInt64 {
        switch self {
        case .i64(let value): value
        case .i32(let value): UInt64(value)
        default: 0
        }
    }
}

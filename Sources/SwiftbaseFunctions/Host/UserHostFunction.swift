internal import WasmKit

/// A host function of Swiftbase's own that plug-ins import, by default from `extism:host/user` (Extism's module for
/// host functions). Records, and whatever else the host offers plug-ins, plug in here.
///
/// Extism's convention: arguments and result are offsets into Extism memory (i64), so the body reads its arguments
/// with ``CallContext/bytes(at:)`` and answers with ``CallContext/allocate(_:)-(Collection<UInt8>)``. Plain
/// integers work too. The body runs synchronously on the guest's thread; an error it throws ends the call with
/// ``FunctionError/Code/hostFunctionFailed`` (or passes through unchanged when it is a ``FunctionError``).
///
/// ```swift
/// let upper = UserHostFunction("upper") { context, arguments in
///     let text = try context.string(at: arguments[0])
///     return try context.allocate(text.uppercased())
/// }
/// ```
public struct UserHostFunction: Sendable {
    /// The WebAssembly types a host function may take and return; both travel as `UInt64` (an i32 zero-extended).
    public enum ValueKind: Sendable, Equatable {
        case i32, i64
    }

    public typealias Body = @Sendable (CallContext, [UInt64]) throws -> UInt64

    public let module: String
    public let name: String
    public let parameters: [ValueKind]
    /// `nil` for a function that returns nothing (the body's result is then ignored).
    public let result: ValueKind?
    let body: Body

    public static let userModule = "extism:host/user"

    public init(
        _ name: String,
        module: String = UserHostFunction.userModule,
        parameters: [ValueKind] = [.i64],
        result: ValueKind? = .i64,
        body: @escaping Body
    ) {
        self.module = module
        self.name = name
        self.parameters = parameters
        self.result = result
        self.body = body
    }

    func makeFunction(store: Store, context: KernelContext) -> Function {
        let body = body
        let result = result
        return Function(
            store: store, parameters: parameters.map(\.valueType), results: result.map { [$0.valueType] } ?? [],
            raw: { _, arguments, results in
                try context.checkInterrupt()
                let value = try body(CallContext(context), arguments.map(\.u64))
                if let result { results[0] = result == .i32 ? .i32(UInt32(truncatingIfNeeded: value)) : .i64(value) }
            })
    }
}

extension UserHostFunction.ValueKind {
    var valueType: ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        }
    }
}

import SwiftbaseFunctions
import Testing

/// A module is checked once, when compiled, and refused with an error that says what is wrong.
@Suite("Plug-in validation")
struct PluginValidationTests {
    func error(_ body: () throws -> Plugin) -> FunctionError? {
        do {
            _ = try body()
            return nil
        } catch let error as FunctionError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func bytesThatAreNotWebAssemblyAreRefused() {
        let refused = error { try Plugin(wasm: Array("not wasm".utf8)) }
        #expect(refused?.code == .invalidModule)
    }

    @Test func aFunctionBodyThatDoesNotValidateIsRefusedBeforeAnythingRuns() throws {
        // Hand-assembled: (func (result i32) i64.const 0) returns the wrong type. The text format would refuse to
        // encode it, so the binary is written out.
        let bytes: [UInt8] = [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,  // magic, version
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,  // type: () -> i32
            0x03, 0x02, 0x01, 0x00,  // func 0 has type 0
            0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6E, 0x00, 0x00,  // export "run"
            0x0A, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0B,  // body: i64.const 0, end
        ]
        let refused = error { try Plugin(wasm: bytes, requiredExports: ["run"]) }
        #expect(refused?.code == .invalidModule, "\(String(describing: refused))")
    }

    @Test func aMissingExportIsNamedWithTheExportsThereAre() throws {
        let refused = error { try ExamplePlugins.plugin("echo", requiredExports: ["handle"]) }
        #expect(refused == FunctionError(.missingExport, "the module has no function export handle (its exports: echo)"))
    }

    @Test func anExportWithParametersIsNotCallable() throws {
        let wat = #"(module (func (export "add") (param i32) (result i32) (local.get 0)))"#
        let plugin = try ExamplePlugins.plugin(wat: wat)
        #expect(plugin.callableExports.isEmpty)
        let refused = error { try Plugin(wasm: try ExamplePlugins.wasm("echo"), requiredExports: ["memory"]) }
        #expect(refused?.code == .missingExport, "a memory is not a function")
    }

    @Test func anUnknownKernelImportIsRefused() {
        let wat = #"(module (import "extism:host/env" "teleport" (func (param i64))))"#
        let refused = error { try ExamplePlugins.plugin(wat: wat) }
        #expect(refused?.code == .unresolvedImport)
        #expect(refused?.message.contains("extism:host/env: teleport") == true)
    }

    @Test func anImportOfAHostFunctionNobodyRegisteredIsRefused() {
        let refused = error { try ExamplePlugins.plugin("host") }
        #expect(refused?.code == .unresolvedImport)
        #expect(refused?.message.contains("extism:host/user.upper") == true)
    }

    @Test func aHostFunctionOfTheWrongTypeIsRefused() {
        let wrong = UserHostFunction("upper", parameters: [.i32], result: .i32) { _, arguments in arguments[0] }
        let refused = error { try ExamplePlugins.plugin("host", options: PluginOptions(hostFunctions: [wrong])) }
        #expect(refused?.code == .invalidModule, "\(String(describing: refused))")
    }

    @Test func importingMemoryFromTheHostIsRefused() {
        let wat = #"(module (import "env" "memory" (memory 1)))"#
        #expect(error { try ExamplePlugins.plugin(wat: wat) }?.code == .unresolvedImport)
    }

    @Test func theCallableExportsAndImportsAreListed() throws {
        let plugin = try ExamplePlugins.plugin("kernel")
        #expect(plugin.callableExports == ["__wasm_call_ctors", "config", "count_calls", "exit_code", "fail", "log", "ready"])
        #expect(plugin.imports.contains("extism:host/env.config_get"))
    }
}

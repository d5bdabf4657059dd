import SwiftbaseFunctions
import Testing

/// A guest that misbehaves ends its own call with a clear error, and nothing else.
@Suite("Plug-in faults")
struct PluginFaultTests {
    @Test(arguments: [
        ("load_far", "load_u64"), ("store_far", "store_u8"), ("output_far", "output_set"),
        ("input_past", "input_load_u64"), ("error_inside", "error_set"),
    ])
    func aBadOffsetEndsTheCallWithATrapNamingTheFunction(export: String, function: String) throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("bad_offsets"))
        guard case .failure(let error) = instance.result(PluginCall(export, input: "abc")) else {
            Issue.record("\(export) succeeded")
            return
        }
        #expect(error.code == .trap)
        #expect(error.message.contains("extism:host/env \(function)"), "\(error.message)")
        #expect(!instance.isReusable)
        #expect(instance.result(PluginCall(export)).errorCode == .trap, "a failed instance refuses further calls")
    }

    @Test func aRunawayLoopIsStoppedByFuel() throws {
        var limits = PluginLimits()
        limits.fuel = 2_000_000
        let instance = try PluginInstance(try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits)))
        #expect(instance.result(PluginCall("spin")) == .failure(FunctionError(.outOfFuel, "plugin ran out of fuel")))
    }

    @Test func growingLinearMemoryPastTheCapIsRefused() throws {
        var limits = PluginLimits()
        limits.memoryBytes = 1 << 20
        let instance = try PluginInstance(try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits)))
        let result = instance.result(PluginCall("grow_memory"))
        #expect(result.errorCode == .memoryLimitExceeded, "\(result)")
    }

    @Test func allocatingExtismMemoryPastTheCapIsRefused() throws {
        var limits = PluginLimits()
        limits.memoryBytes = 8 << 20
        let instance = try PluginInstance(try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits)))
        let result = instance.result(PluginCall("alloc_bomb"))
        #expect(result.errorCode == .memoryLimitExceeded, "\(result)")
    }

    @Test func aModuleWhoseInitialMemoryExceedsTheCapIsRefusedAtCompileTime() throws {
        var limits = PluginLimits()
        limits.memoryBytes = 1 << 20
        let wat = #"(module (memory (export "memory") 64) (func (export "run") (result i32) (i32.const 0)))"#
        do {
            _ = try ExamplePlugins.plugin(wat: wat, options: PluginOptions(limits: limits))
            Issue.record("a module with 4 MiB of initial memory compiled under a 1 MiB cap")
        } catch let error as FunctionError {
            #expect(error.code == .memoryLimitExceeded)
        }
    }

    @Test func aTrapIsReportedWithWasmKitsReason() throws {
        let plugin = try ExamplePlugins.plugin(wat: #"(module (func (export "boom") (result i32) unreachable))"#)
        let result = try PluginInstance(plugin).result(PluginCall("boom"))
        #expect(result == .failure(FunctionError(.trap, "unreachable")))
    }
}

internal import WasmKit
internal import WasmParser

/// How one import of a plug-in is satisfied, decided once when the plug-in is compiled so that instantiating it is
/// only a walk over this list.
struct PluginLink: Sendable {
    enum Provider: Sendable {
        case kernel(ExtismKernel.Entry)
        case wasi(WASIStubs.Entry)
        case user(UserHostFunction)
    }

    let module: String
    let name: String
    let provider: Provider

    /// The links for every import of `module`, or the error that names the first import Swiftbase cannot provide.
    static func plan(for module: Module, hostFunctions: [UserHostFunction]) throws(FunctionError) -> [PluginLink] {
        var links: [PluginLink] = []
        for item in module.imports {
            guard case .function = item.descriptor else {
                throw FunctionError(
                    .unresolvedImport,
                    "the module imports \(item.module).\(item.name), which is not a function; a plug-in defines its "
                        + "own memory, tables and globals"
                )
            }
            if let user = hostFunctions.last(where: { $0.module == item.module && $0.name == item.name }) {
                links.append(PluginLink(module: item.module, name: item.name, provider: .user(user)))
            } else if item.module == ExtismKernel.moduleName {
                guard let entry = ExtismKernel.functions[item.name] else {
                    throw FunctionError(
                        .unresolvedImport,
                        "invalid function import from extism:host/env: \(item.name) (the PDK may be newer than "
                            + "this host's Extism kernel)"
                    )
                }
                links.append(PluginLink(module: item.module, name: item.name, provider: .kernel(entry)))
            } else if item.module == WASIStubs.moduleName {
                guard let entry = WASIStubs.entry(named: item.name) else {
                    throw FunctionError(.unresolvedImport, "unknown WASI preview 1 function \(item.name)")
                }
                links.append(PluginLink(module: item.module, name: item.name, provider: .wasi(entry)))
            } else {
                throw FunctionError(
                    .unresolvedImport,
                    "the module imports \(item.module).\(item.name), which is not a host function this server provides"
                )
            }
        }
        return links
    }

    func makeFunction(store: Store, context: KernelContext) -> Function {
        switch provider {
        case .kernel(let entry):
            entry.makeFunction(store: store, context: context)
        case .wasi(let entry):
            entry.makeFunction(store: store, context: context)
        case .user(let function):
            function.makeFunction(store: store, context: context)
        }
    }
}

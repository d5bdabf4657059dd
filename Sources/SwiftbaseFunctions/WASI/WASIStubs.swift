internal import WasmKit

/// What a plug-in that imports WASI (`wasi_snapshot_preview1`) gets: no file system, no sockets, no environment —
/// only what is harmless. stdout and stderr go to the plug-in's log; clocks and random bytes work; `proc_exit` ends
/// the call with its status; stdin reads as empty. Everything else answers an error code (`EBADF` for descriptor
/// calls — there are no descriptors beyond 0, 1, 2 and no preopened directories — `ENOTCAPABLE` for paths,
/// `ENOSYS` for the rest), so a guest's libc fails cleanly instead of trapping.
enum WASIStubs {
    static let moduleName = "wasi_snapshot_preview1"

    enum Errno: UInt32 {
        case success = 0, badf = 8, inval = 28, nosys = 52, spipe = 70, notcapable = 76
    }

    /// Every preview1 function and its type (the WASI snapshot's witx).
    static let signatures: [String: FunctionType] = {
        let i32 = ValueType.i32
        let i64 = ValueType.i64
        func type(_ parameters: [ValueType], _ results: [ValueType] = [.i32]) -> FunctionType {
            FunctionType(parameters: parameters, results: results)
        }
        return [
            "args_get": type([i32, i32]), "args_sizes_get": type([i32, i32]),
            "environ_get": type([i32, i32]), "environ_sizes_get": type([i32, i32]),
            "clock_res_get": type([i32, i32]), "clock_time_get": type([i32, i64, i32]),
            "fd_advise": type([i32, i64, i64, i32]), "fd_allocate": type([i32, i64, i64]),
            "fd_close": type([i32]), "fd_datasync": type([i32]),
            "fd_fdstat_get": type([i32, i32]), "fd_fdstat_set_flags": type([i32, i32]),
            "fd_fdstat_set_rights": type([i32, i64, i64]), "fd_filestat_get": type([i32, i32]),
            "fd_filestat_set_size": type([i32, i64]), "fd_filestat_set_times": type([i32, i64, i64, i32]),
            "fd_pread": type([i32, i32, i32, i64, i32]), "fd_prestat_dir_name": type([i32, i32, i32]),
            "fd_prestat_get": type([i32, i32]), "fd_pwrite": type([i32, i32, i32, i64, i32]),
            "fd_read": type([i32, i32, i32, i32]), "fd_readdir": type([i32, i32, i32, i64, i32]),
            "fd_renumber": type([i32, i32]), "fd_seek": type([i32, i64, i32, i32]),
            "fd_sync": type([i32]), "fd_tell": type([i32, i32]), "fd_write": type([i32, i32, i32, i32]),
            "path_create_directory": type([i32, i32, i32]), "path_filestat_get": type([i32, i32, i32, i32, i32]),
            "path_filestat_set_times": type([i32, i32, i32, i32, i64, i64, i32]),
            "path_link": type([i32, i32, i32, i32, i32, i32, i32]),
            "path_open": type([i32, i32, i32, i32, i32, i64, i64, i32, i32]),
            "path_readlink": type([i32, i32, i32, i32, i32, i32]), "path_remove_directory": type([i32, i32, i32]),
            "path_rename": type([i32, i32, i32, i32, i32, i32]), "path_symlink": type([i32, i32, i32, i32, i32]),
            "path_unlink_file": type([i32, i32, i32]), "poll_oneoff": type([i32, i32, i32, i32]),
            "proc_exit": type([i32], []), "proc_raise": type([i32]), "random_get": type([i32, i32]),
            "sched_yield": type([]), "sock_accept": type([i32, i32, i32]),
            "sock_recv": type([i32, i32, i32, i32, i32, i32]), "sock_send": type([i32, i32, i32, i32, i32]),
            "sock_shutdown": type([i32, i32]),
        ]
    }()

    typealias Body = @Sendable (KernelContext, GuestMemoryAccess, UnsafeBufferPointer<Value>) throws -> Errno

    /// One preview1 function: its type and what it does.
    struct Entry: Sendable {
        let type: FunctionType
        let body: Body

        func makeFunction(store: Store, context: KernelContext) -> Function {
            let body = body
            return Function(
                store: store, parameters: type.parameters, results: type.results,
                raw: { caller, arguments, results in
                    try context.checkInterrupt()
                    let errno = try body(context, GuestMemoryAccess(caller: caller), arguments)
                    if !results.isEmpty { results[0] = .i32(errno.rawValue) }
                })
        }
    }

    /// The entry for one preview1 import, or `nil` for a name WASI does not have.
    static func entry(named name: String) -> Entry? {
        guard let type = signatures[name] else { return nil }
        return Entry(type: type, body: implementation(of: name))
    }

    private static func implementation(of name: String) -> Body {
        switch name {
        case "args_sizes_get", "environ_sizes_get":
            return { _, memory, arguments in
                try memory.store32(0, at: arguments[0].u64)
                try memory.store32(0, at: arguments[1].u64)
                return .success
            }
        case "args_get", "environ_get", "sched_yield":
            return { _, _, _ in .success }
        case "clock_res_get":
            return { _, memory, arguments in
                guard arguments[0].u64 <= 3 else { return .inval }
                try memory.store64(1_000, at: arguments[1].u64)
                return .success
            }
        case "clock_time_get":
            return { _, memory, arguments in
                guard let now = WASIClock.now(id: arguments[0].u64) else { return .inval }
                try memory.store64(now, at: arguments[2].u64)
                return .success
            }
        case "random_get":
            return { _, memory, arguments in
                try memory.withWritableBytes(at: arguments[0].u64, count: Int(clamping: arguments[1].u64)) { buffer in
                    var generator = SystemRandomNumberGenerator()
                    for index in buffer.indices { buffer[index] = UInt8.random(in: .min ... .max, using: &generator) }
                }
                return .success
            }
        case "fd_write":
            return { context, memory, arguments in
                let descriptor = UInt32(truncatingIfNeeded: arguments[0].u64)
                guard descriptor == 1 || descriptor == 2 else { return .badf }
                var written: UInt64 = 0
                for buffer in try memory.ioVectors(at: arguments[1].u64, count: arguments[2].u64) {
                    let bytes = try memory.read(buffer.offset, count: buffer.length)
                    context.writeStream(descriptor, bytes)
                    written += UInt64(bytes.count)
                }
                try memory.store32(UInt32(truncatingIfNeeded: written), at: arguments[3].u64)
                return .success
            }
        case "fd_read":
            return { _, memory, arguments in
                guard arguments[0].u64 == 0 else { return .badf }
                try memory.store32(0, at: arguments[3].u64)  // stdin is empty
                return .success
            }
        case "fd_fdstat_get":
            return { _, memory, arguments in
                guard arguments[0].u64 <= 2 else { return .badf }
                // fdstat: filetype u8 (2 = character device), flags u16, rights base u64, rights inheriting u64.
                var stat = [UInt8](repeating: 0, count: 24)
                stat[0] = 2
                try memory.write(stat, at: arguments[1].u64)
                return .success
            }
        case "fd_close":
            return { _, _, arguments in arguments[0].u64 <= 2 ? .success : .badf }
        case "fd_seek", "fd_tell":
            return { _, _, arguments in arguments[0].u64 <= 2 ? .spipe : .badf }
        case "proc_exit":
            return { _, _, arguments in throw WASIExit(status: Int32(truncatingIfNeeded: arguments[0].u64)) }
        default:
            if name.hasPrefix("fd_") { return { _, _, _ in .badf } }
            if name.hasPrefix("path_") { return { _, _, _ in .notcapable } }
            return { _, _, _ in .nosys }
        }
    }
}

/// `proc_exit` was called: the call ends; status 0 with no error set counts as success, as in Extism.
struct WASIExit: Error, CustomStringConvertible {
    let status: Int32
    var description: String { "exit status \(status)" }
}

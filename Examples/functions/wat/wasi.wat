;; A plug-in that imports WASI: writes a line to stdout and one to stderr (the host logs them), asks the clock,
;; tries to open a file (refused: no file system) and outputs "ok" when every answer was as expected.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from WASI stdout\n")    ;; 0, 23
  (data (i32.const 32) "and from stderr\n")          ;; 32, 16
  (data (i32.const 64) "/etc/passwd")                ;; 64, 11

  (func $write (param $fd i32) (param $address i32) (param $size i32) (result i32)
    ;; One iovec at 256: {address, size}; bytes written at 264.
    (i32.store (i32.const 256) (local.get $address))
    (i32.store (i32.const 260) (local.get $size))
    (call $fd_write (local.get $fd) (i32.const 256) (i32.const 1) (i32.const 264)))

  (func (export "hello") (result i32)
    (local $ok i32) (local $block i64)
    (local.set $ok (i32.const 1))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 23)) (then (local.set $ok (i32.const 0))))
    (if (i32.ne (i32.load (i32.const 264)) (i32.const 23)) (then (local.set $ok (i32.const 0))))
    (if (call $write (i32.const 2) (i32.const 32) (i32.const 16)) (then (local.set $ok (i32.const 0))))
    ;; The realtime clock answers success and a time after 2020.
    (if (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 512)) (then (local.set $ok (i32.const 0))))
    (if (i64.lt_u (i64.load (i32.const 512)) (i64.const 1577836800000000000)) (then (local.set $ok (i32.const 0))))
    ;; Opening a file from descriptor 3 (no preopened directory exists) fails.
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 11) (i32.const 0)
                   (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 520)))
      (then (local.set $ok (i32.const 0))))
    (local.set $block (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $block) (select (i32.const 111) (i32.const 110) (local.get $ok)))  ;; o / n
    (call $store_u8 (i64.add (local.get $block) (i64.const 1)) (select (i32.const 107) (i32.const 111) (local.get $ok)))  ;; k / o
    (call $output_set (local.get $block) (i64.const 2))
    (i32.const 0)))

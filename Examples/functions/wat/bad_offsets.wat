;; Plug-ins that hand the kernel offsets it never gave out. Extism's own kernel reads 0 or ignores them; Swiftbase
;; ends the call with a trap that names the function and the offset.
;;   load_far      load_u64 at 1 TiB
;;   store_far     store_u8 just past the one block allocated
;;   output_far    output_set over a range that was never allocated
;;   input_past    input_load_u64 past the end of the input
;;   error_inside  error_set with an offset into the middle of a block
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (memory (export "memory") 1)

  (func (export "load_far") (result i32)
    (drop (call $load_u64 (i64.const 1099511627776)))
    (i32.const 0))

  (func (export "store_far") (result i32)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 16)))
    (call $store_u8 (i64.add (local.get $block) (i64.const 16)) (i32.const 1))
    (i32.const 0))

  (func (export "output_far") (result i32)
    (call $output_set (i64.const 123456789) (i64.const 16))
    (i32.const 0))

  (func (export "input_past") (result i32)
    (drop (call $input_load_u64 (call $input_length)))
    (i32.const 0))

  (func (export "error_inside") (result i32)
    (call $error_set (i64.add (call $alloc (i64.const 32)) (i64.const 3)))
    (i32.const 1)))

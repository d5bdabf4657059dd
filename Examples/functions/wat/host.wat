;; Calls a host function of the host's own: extism:host/user "upper" takes the offset of a text and returns the
;; offset of the same text in capitals; the plug-in outputs that block.
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "upper" (func $upper (param i64) (result i64)))
  (memory (export "memory") 1)

  (func (export "shout") (result i32)
    (local $result i64)
    (local.set $result (call $upper (call $input_offset)))
    (call $output_set (local.get $result) (call $length (local.get $result)))
    (i32.const 0)))

;; An HTTP trigger's `handle` that hands Swiftbase's records_get (extism:host/user) an offset it never allocated
;; (1 TiB). Swiftbase ends the call with a trap, as every kernel function does with a bad offset: the HTTP answer is
;; a 500 naming the function, and the server goes on. If a host answers anyway, its answer is the output.
(module
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "records_get" (func $records_get (param i64) (result i64)))
  (memory (export "memory") 1)

  (func (export "handle") (result i32)
    (local $answer i64)
    (local.set $answer (call $records_get (i64.const 1099511627776)))
    (call $output_set (local.get $answer) (call $length (local.get $answer)))
    (i32.const 0)))

;; http_request: the input is Extism's HttpRequest JSON ({"url": …, "method": …, "headers": {…}}).
;;   get         outputs the response body
;;   get_status  outputs the response status as three digits
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
  (memory (export "memory") 1)

  (func (export "get") (result i32)
    (local $body i64)
    (local.set $body (call $http_request (call $input_offset) (i64.const 0)))
    (call $output_set (local.get $body) (call $length (local.get $body)))
    (i32.const 0))

  (func (export "get_status") (result i32)
    (local $status i32) (local $block i64)
    (drop (call $http_request (call $input_offset) (i64.const 0)))
    (local.set $status (call $http_status_code))
    (local.set $block (call $alloc (i64.const 3)))
    (call $store_u8 (local.get $block) (i32.add (i32.const 48) (i32.div_u (local.get $status) (i32.const 100))))
    (call $store_u8 (i64.add (local.get $block) (i64.const 1))
      (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $status) (i32.const 10)) (i32.const 10))))
    (call $store_u8 (i64.add (local.get $block) (i64.const 2))
      (i32.add (i32.const 48) (i32.rem_u (local.get $status) (i32.const 10))))
    (call $output_set (local.get $block) (i64.const 3))
    (i32.const 0)))

;; An HTTP trigger that answers plain text: the config value "greeting" ("hello" when there is none). An output that
;; is not a JSON object is sent as a 200 body as it is (text/plain unless it parses as JSON).
;;   handle   output: the greeting, e.g. "Bonjour" for {"config": {"greeting": "Bonjour"}}
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "greeting")   ;; 0, 8
  (data (i32.const 16) "hello")     ;; 16, 5

  ;; A new Extism block holding `n` bytes of linear memory from `at`.
  (func $block (param $at i32) (param $n i32) (result i64)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $at) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $block))

  (func (export "handle") (result i32)
    (local $value i64)
    (local.set $value (call $config_get (call $block (i32.const 0) (i32.const 8))))
    (if (i64.eqz (local.get $value))
      (then (local.set $value (call $block (i32.const 16) (i32.const 5)))))
    (call $output_set (local.get $value) (call $length (local.get $value)))
    (i32.const 0)))

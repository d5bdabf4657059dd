;; The rest of Extism's kernel and host functions, one export each:
;;   config       the config value named by the input (fails when there is none)
;;   count_calls  adds 1 to the var "calls" (8 bytes, little-endian) and outputs the new value's 8 bytes
;;   fail         sets an error message and returns 1
;;   exit_code    returns 7 without a message
;;   log          logs one line at each level and outputs get_log_level as a digit
;;   ready        outputs "ready" when __wasm_call_ctors ran before the call (as Extism runs it)
(module
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_trace" (func $log_trace (param i64)))
  (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
  (import "extism:host/env" "log_error" (func $log_error (param i64)))
  (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (data (i32.const 0) "no config value for the key")   ;; 0, 27
  (data (i32.const 32) "calls")                         ;; 32, 5
  (data (i32.const 48) "this plug-in always fails")     ;; 48, 25
  (data (i32.const 80) "trace line")                    ;; 80, 10
  (data (i32.const 96) "debug line")                    ;; 96, 10
  (data (i32.const 112) "info line")                    ;; 112, 9
  (data (i32.const 128) "warn line")                    ;; 128, 9
  (data (i32.const 144) "error line")                   ;; 144, 10
  (data (i32.const 160) "readynot ready")               ;; 160, 5 / 165, 9

  ;; Copies linear memory [address, address+size) into a new block of Extism memory.
  (func $text (param $address i32) (param $size i32) (result i64)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $size))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $size)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $address) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $block))

  (func $output_block (param $block i64)
    (call $output_set (local.get $block) (call $length (local.get $block))))

  (func (export "__wasm_call_ctors")
    (global.set $ready (i32.const 1)))

  (func (export "config") (result i32)
    (local $value i64)
    ;; config_get takes ownership of the key: the input block itself.
    (local.set $value (call $config_get (call $input_offset)))
    (if (i64.eqz (local.get $value))
      (then
        (call $error_set (call $text (i32.const 0) (i32.const 27)))
        (return (i32.const 1))))
    (call $output_block (local.get $value))
    (i32.const 0))

  (func (export "count_calls") (result i32)
    (local $value i64) (local $calls i64) (local $block i64)
    (local.set $value (call $var_get (call $text (i32.const 32) (i32.const 5))))
    (if (i64.ne (local.get $value) (i64.const 0))
      (then
        (local.set $calls (call $load_u64 (local.get $value)))
        (call $free (local.get $value))))
    (local.set $calls (i64.add (local.get $calls) (i64.const 1)))
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $calls))
    (call $var_set (call $text (i32.const 32) (i32.const 5)) (local.get $block))
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $calls))
    (call $output_block (local.get $block))
    (i32.const 0))

  (func (export "fail") (result i32)
    (call $error_set (call $text (i32.const 48) (i32.const 25)))
    (i32.const 1))

  (func (export "exit_code") (result i32)
    (i32.const 7))

  (func (export "log") (result i32)
    (local $block i64)
    (call $log_trace (call $text (i32.const 80) (i32.const 10)))
    (call $log_debug (call $text (i32.const 96) (i32.const 10)))
    (call $log_info (call $text (i32.const 112) (i32.const 9)))
    (call $log_warn (call $text (i32.const 128) (i32.const 9)))
    (call $log_error (call $text (i32.const 144) (i32.const 10)))
    (local.set $block (call $alloc (i64.const 1)))
    (call $store_u8 (local.get $block) (i32.add (i32.const 48) (call $get_log_level)))
    (call $output_block (local.get $block))
    (i32.const 0))

  (func (export "ready") (result i32)
    (if (global.get $ready)
      (then (call $output_block (call $text (i32.const 160) (i32.const 5))))
      (else (call $output_block (call $text (i32.const 165) (i32.const 9)))))
    (i32.const 0)))

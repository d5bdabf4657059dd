;; Extism's classic example in WAT: counts the vowels of the input and answers {"count": N}, byte for byte what
;; c/count_vowels.c answers.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\22count\22: ")

  (func $is_vowel (param $c i32) (result i32)
    ;; Setting bit 0x20 lower-cases a letter; no other byte lands on a lower-case vowel that way.
    (local.set $c (i32.or (local.get $c) (i32.const 0x20)))
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 97)) (i32.eq (local.get $c) (i32.const 101)))
      (i32.or
        (i32.or (i32.eq (local.get $c) (i32.const 105)) (i32.eq (local.get $c) (i32.const 111)))
        (i32.eq (local.get $c) (i32.const 117)))))

  (func (export "count_vowels") (result i32)
    (local $length i64) (local $i i64) (local $count i64)
    (local $digits i32) (local $size i32) (local $out i64) (local $k i32)
    (local.set $length (call $input_length))
    (block $done
      (loop $scan
        (br_if $done (i64.ge_u (local.get $i) (local.get $length)))
        (local.set $count
          (i64.add (local.get $count) (i64.extend_i32_u (call $is_vowel (call $input_load_u8 (local.get $i))))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $scan)))
    ;; The decimal digits, backwards from byte 64; then "}" at 64.
    (local.set $digits (i32.const 64))
    (loop $digit
      (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
      (i32.store8 (local.get $digits)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $count) (i64.const 10)))))
      (local.set $count (i64.div_u (local.get $count) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $count) (i64.const 0))))
    (i32.store8 (i32.const 64) (i32.const 125))
    ;; Output = the 10-byte prefix at 0, then bytes digits..64 inclusive.
    (local.set $size (i32.add (i32.const 10) (i32.sub (i32.const 65) (local.get $digits))))
    (local.set $out (call $alloc (i64.extend_i32_u (local.get $size))))
    (loop $copy
      (call $store_u8
        (i64.add (local.get $out) (i64.extend_i32_u (local.get $k)))
        (if (result i32) (i32.lt_u (local.get $k) (i32.const 10))
          (then (i32.load8_u (local.get $k)))
          (else (i32.load8_u (i32.add (local.get $digits) (i32.sub (local.get $k) (i32.const 10)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $k) (local.get $size))))
    (call $output_set (local.get $out) (i64.extend_i32_u (local.get $size)))
    (i32.const 0)))

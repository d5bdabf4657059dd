;; Plug-ins that misbehave, for the limits:
;;   spin         loops forever (stopped by fuel, or by the timeout)
;;   grow_memory  grows its linear memory a page at a time until memory.grow fails, then returns 1
;;   alloc_bomb   allocates 1 MiB blocks of Extism memory until alloc answers 0, then returns 1
;;   grow_4gib    asks memory.grow for the whole 4 GiB address space at once, then a page at a time; when growth
;;                fails (memory.grow answers -1) it traps (unreachable)
;;   alloc_4gib   asks Extism's alloc for one 4 GiB block and writes its last byte; traps when alloc answers 0
;; Over HTTP each is an export a trigger names: {"type": "http", "export": "spin"}.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (memory (export "memory") 1)

  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))

  (func (export "grow_memory") (result i32)
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (i32.const 1))

  (func (export "alloc_bomb") (result i32)
    (loop $more
      (br_if $more (i64.ne (call $alloc (i64.const 1048576)) (i64.const 0))))
    (i32.const 1))

  (func (export "grow_4gib") (result i32)
    (drop (memory.grow (i32.const 65535)))
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (unreachable))

  (func (export "alloc_4gib") (result i32)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 4294967296)))
    (if (i64.eqz (local.get $block)) (then (unreachable)))
    (call $store_u8 (i64.add (local.get $block) (i64.const 4294967295)) (i32.const 1))
    (i32.const 0)))

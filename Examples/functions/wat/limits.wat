;; Plug-ins that misbehave, for the limits:
;;   spin         loops forever (stopped by fuel, or by the timeout)
;;   grow_memory  grows its linear memory a page at a time until memory.grow fails, then returns 1
;;   alloc_bomb   allocates 1 MiB blocks of Extism memory until alloc answers 0, then returns 1
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
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
    (i32.const 1)))

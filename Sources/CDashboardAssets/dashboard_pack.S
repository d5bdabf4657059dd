/* The linker carries the dashboard: dashboard.pack's bytes between two symbols, no Swift literal to compile.
   Written by scripts/pack-dashboard; the digest line below changes with the pack so that the build system,
   which does not follow .incbin, assembles this file again. */
/* pack sha256: 55f069ad02446fc658e41322be348077c4d1e7b3a4885915c5b4d92a2331dcd0 */
    .section .rodata.sb_dashboard,"a"
    .balign 16
    .globl sb_dashboard_pack_start
sb_dashboard_pack_start:
    .incbin "dashboard.pack"
    .globl sb_dashboard_pack_end
sb_dashboard_pack_end:
    .byte 0
#if defined(__ELF__)
    .section .note.GNU-stack,"",%progbits
#endif

/* Written by scripts/pack-dashboard from Dashboard/: do not edit. The linker carries the dashboard: one
   pack (format in the script) between two symbols, each file's bytes by .incbin, no Swift literal to compile.
   Paths are relative to this folder, an include path of the target. */
    .section .rodata.sb_dashboard,"a"
    .balign 16
    .globl sb_dashboard_pack_start
sb_dashboard_pack_start:
    .ascii "SBDASH1 a34aed120402aa460015c7f55647360412aef9e1989da7bf369c02b22e415a48\n"
    .4byte 6
    .ascii "app.js"
    .4byte .Lend0 - .Lstart0
.Lstart0:
    .incbin "../../Dashboard/app.js"
.Lend0:
    .4byte 11
    .ascii "css/app.css"
    .4byte .Lend1 - .Lstart1
.Lstart1:
    .incbin "../../Dashboard/css/app.css"
.Lend1:
    .4byte 11
    .ascii "favicon.svg"
    .4byte .Lend2 - .Lstart2
.Lstart2:
    .incbin "../../Dashboard/favicon.svg"
.Lend2:
    .4byte 10
    .ascii "index.html"
    .4byte .Lend3 - .Lstart3
.Lstart3:
    .incbin "../../Dashboard/index.html"
.Lend3:
    .4byte 10
    .ascii "lib/api.js"
    .4byte .Lend4 - .Lstart4
.Lstart4:
    .incbin "../../Dashboard/lib/api.js"
.Lend4:
    .4byte 13
    .ascii "lib/charts.js"
    .4byte .Lend5 - .Lstart5
.Lstart5:
    .incbin "../../Dashboard/lib/charts.js"
.Lend5:
    .4byte 10
    .ascii "lib/dom.js"
    .4byte .Lend6 - .Lstart6
.Lstart6:
    .incbin "../../Dashboard/lib/dom.js"
.Lend6:
    .4byte 18
    .ascii "lib/field-cells.js"
    .4byte .Lend7 - .Lstart7
.Lstart7:
    .incbin "../../Dashboard/lib/field-cells.js"
.Lend7:
    .4byte 19
    .ascii "lib/field-inputs.js"
    .4byte .Lend8 - .Lstart8
.Lstart8:
    .incbin "../../Dashboard/lib/field-inputs.js"
.Lend8:
    .4byte 17
    .ascii "lib/prometheus.js"
    .4byte .Lend9 - .Lstart9
.Lstart9:
    .incbin "../../Dashboard/lib/prometheus.js"
.Lend9:
    .4byte 15
    .ascii "lib/realtime.js"
    .4byte .Lend10 - .Lstart10
.Lstart10:
    .incbin "../../Dashboard/lib/realtime.js"
.Lend10:
    .4byte 13
    .ascii "lib/router.js"
    .4byte .Lend11 - .Lstart11
.Lstart11:
    .incbin "../../Dashboard/lib/router.js"
.Lend11:
    .4byte 12
    .ascii "lib/state.js"
    .4byte .Lend12 - .Lstart12
.Lstart12:
    .incbin "../../Dashboard/lib/state.js"
.Lend12:
    .4byte 12
    .ascii "lib/theme.js"
    .4byte .Lend13 - .Lstart13
.Lstart13:
    .incbin "../../Dashboard/lib/theme.js"
.Lend13:
    .4byte 17
    .ascii "lib/timeseries.js"
    .4byte .Lend14 - .Lstart14
.Lstart14:
    .incbin "../../Dashboard/lib/timeseries.js"
.Lend14:
    .4byte 16
    .ascii "pages/changes.js"
    .4byte .Lend15 - .Lstart15
.Lstart15:
    .incbin "../../Dashboard/pages/changes.js"
.Lend15:
    .4byte 26
    .ascii "pages/collection-editor.js"
    .4byte .Lend16 - .Lstart16
.Lstart16:
    .incbin "../../Dashboard/pages/collection-editor.js"
.Lend16:
    .4byte 28
    .ascii "pages/collections-sidebar.js"
    .4byte .Lend17 - .Lstart17
.Lstart17:
    .incbin "../../Dashboard/pages/collections-sidebar.js"
.Lend17:
    .4byte 21
    .ascii "pages/field-editor.js"
    .4byte .Lend18 - .Lstart18
.Lstart18:
    .incbin "../../Dashboard/pages/field-editor.js"
.Lend18:
    .4byte 18
    .ascii "pages/functions.js"
    .4byte .Lend19 - .Lstart19
.Lstart19:
    .incbin "../../Dashboard/pages/functions.js"
.Lend19:
    .4byte 16
    .ascii "pages/graphql.js"
    .4byte .Lend20 - .Lstart20
.Lstart20:
    .incbin "../../Dashboard/pages/graphql.js"
.Lend20:
    .4byte 14
    .ascii "pages/index.js"
    .4byte .Lend21 - .Lstart21
.Lstart21:
    .incbin "../../Dashboard/pages/index.js"
.Lend21:
    .4byte 14
    .ascii "pages/login.js"
    .4byte .Lend22 - .Lstart22
.Lstart22:
    .incbin "../../Dashboard/pages/login.js"
.Lend22:
    .4byte 13
    .ascii "pages/logs.js"
    .4byte .Lend23 - .Lstart23
.Lstart23:
    .incbin "../../Dashboard/pages/logs.js"
.Lend23:
    .4byte 16
    .ascii "pages/metrics.js"
    .4byte .Lend24 - .Lstart24
.Lstart24:
    .incbin "../../Dashboard/pages/metrics.js"
.Lend24:
    .4byte 13
    .ascii "pages/mqtt.js"
    .4byte .Lend25 - .Lstart25
.Lstart25:
    .incbin "../../Dashboard/pages/mqtt.js"
.Lend25:
    .4byte 23
    .ascii "pages/oauth2-options.js"
    .4byte .Lend26 - .Lstart26
.Lstart26:
    .incbin "../../Dashboard/pages/oauth2-options.js"
.Lend26:
    .4byte 24
    .ascii "pages/oauth2-redirect.js"
    .4byte .Lend27 - .Lstart27
.Lstart27:
    .incbin "../../Dashboard/pages/oauth2-redirect.js"
.Lend27:
    .4byte 20
    .ascii "pages/record-form.js"
    .4byte .Lend28 - .Lstart28
.Lstart28:
    .incbin "../../Dashboard/pages/record-form.js"
.Lend28:
    .4byte 16
    .ascii "pages/records.js"
    .4byte .Lend29 - .Lstart29
.Lstart29:
    .incbin "../../Dashboard/pages/records.js"
.Lend29:
    .4byte 25
    .ascii "pages/settings-apikeys.js"
    .4byte .Lend30 - .Lstart30
.Lstart30:
    .incbin "../../Dashboard/pages/settings-apikeys.js"
.Lend30:
    .4byte 23
    .ascii "pages/settings-audit.js"
    .4byte .Lend31 - .Lstart31
.Lstart31:
    .incbin "../../Dashboard/pages/settings-audit.js"
.Lend31:
    .4byte 25
    .ascii "pages/settings-backups.js"
    .4byte .Lend32 - .Lstart32
.Lstart32:
    .incbin "../../Dashboard/pages/settings-backups.js"
.Lend32:
    .4byte 29
    .ascii "pages/settings-collections.js"
    .4byte .Lend33 - .Lstart33
.Lstart33:
    .incbin "../../Dashboard/pages/settings-collections.js"
.Lend33:
    .4byte 17
    .ascii "pages/settings.js"
    .4byte .Lend34 - .Lstart34
.Lstart34:
    .incbin "../../Dashboard/pages/settings.js"
.Lend34:
    .4byte 12
    .ascii "pages/sql.js"
    .4byte .Lend35 - .Lstart35
.Lstart35:
    .incbin "../../Dashboard/pages/sql.js"
.Lend35:
    .4byte 19
    .ascii "pages/superusers.js"
    .4byte .Lend36 - .Lstart36
.Lstart36:
    .incbin "../../Dashboard/pages/superusers.js"
.Lend36:
    .4byte 27
    .ascii "pages/timeseries-options.js"
    .4byte .Lend37 - .Lstart37
.Lstart37:
    .incbin "../../Dashboard/pages/timeseries-options.js"
.Lend37:
    .4byte 26
    .ascii "pages/timeseries-points.js"
    .4byte .Lend38 - .Lstart38
.Lstart38:
    .incbin "../../Dashboard/pages/timeseries-points.js"
.Lend38:
    .4byte 19
    .ascii "pages/timeseries.js"
    .4byte .Lend39 - .Lstart39
.Lstart39:
    .incbin "../../Dashboard/pages/timeseries.js"
.Lend39:
    .4byte 17
    .ascii "pages/webhooks.js"
    .4byte .Lend40 - .Lstart40
.Lstart40:
    .incbin "../../Dashboard/pages/webhooks.js"
.Lend40:
    .4byte 13
    .ascii "vendor/NOTICE"
    .4byte .Lend41 - .Lstart41
.Lstart41:
    .incbin "../../Dashboard/vendor/NOTICE"
.Lend41:
    .4byte 19
    .ascii "vendor/chart.min.js"
    .4byte .Lend42 - .Lstart42
.Lstart42:
    .incbin "../../Dashboard/vendor/chart.min.js"
.Lend42:
    .globl sb_dashboard_pack_end
sb_dashboard_pack_end:
    .byte 0
#if defined(__ELF__)
    .section .note.GNU-stack,"",%progbits
#endif

#ifndef SWIFTBASE_DASHBOARD_ASSETS_H
#define SWIFTBASE_DASHBOARD_ASSETS_H

#include <stddef.h>

/* The dashboard's packed assets (see scripts/pack-dashboard and Docs/Dashboard.md), carried in the binary's
   read-only data by the assembler's .incbin: sets *length and returns the first byte. */
const unsigned char *sb_dashboard_pack(size_t *length);

#endif

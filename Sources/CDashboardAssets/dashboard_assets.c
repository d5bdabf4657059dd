#include "dashboard_assets.h"

/* Defined by dashboard_pack.S around the bytes of dashboard.pack. */
extern const unsigned char sb_dashboard_pack_start[];
extern const unsigned char sb_dashboard_pack_end[];

const unsigned char *sb_dashboard_pack(size_t *length) {
    *length = (size_t)(sb_dashboard_pack_end - sb_dashboard_pack_start);
    return sb_dashboard_pack_start;
}

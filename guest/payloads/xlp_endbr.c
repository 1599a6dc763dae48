/*
 * xlp_endbr (builtin target only): selftest_endbr_fn() -> xlp_endbr_fn()
 * (0x4321).  selftest_endbr_fn is cf_check and starts with ENDBR64, so the
 * loader keeps the ENDBR64 and writes the jump at +4 (patch_offset 4);
 * old_size is its full size (>= 9 is required).
 */
#include <xen/selftest.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_endbr_patch_this_fnc[] = "selftest_endbr_fn";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_endbr = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_endbr_patch_this_fnc,
    .new_addr = xlp_endbr_fn,
    .old_addr = selftest_endbr_fn,
    .new_size = NEW_CODE_SZ_xlp_endbr_fn,
    .old_size = ENDBR_FN_SZ,
};

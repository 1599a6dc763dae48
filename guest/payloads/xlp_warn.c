/*
 * xlp_warn: xen_extra_version() -> xlp_warn_fn(): a WARN frame in the payload's
 * .bug_frames.1 ("Xen WARN at payloads/xlp_warn_func.c:<line>"), then "Warned".
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_warn_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_warn = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_warn_patch_this_fnc,
    .new_addr = xlp_warn_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_warn_fn,
    .old_size = OLD_CODE_SZ,
};

/*
 * xlp_bug: xen_extra_version() -> xlp_bug_fn(): a BUG frame in the payload's
 * .bug_frames.2 ("Xen BUG at payloads/xlp_bug_func.c:<line>"); never returns.
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_bug_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_bug = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_bug_patch_this_fnc,
    .new_addr = xlp_bug_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_bug_fn,
    .old_size = OLD_CODE_SZ,
};

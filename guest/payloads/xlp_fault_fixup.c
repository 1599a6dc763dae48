/*
 * xlp_fault_fixup: xen_extra_version() -> xlp_fault_fixup_fn(), which takes a #PF on an
 * unmapped address and recovers through the payload's own .ex_table/.fixup:
 * it returns "Fixed Up".
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_fault_fixup_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_fault_fixup = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_fault_fixup_patch_this_fnc,
    .new_addr = xlp_fault_fixup_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_fault_fixup_fn,
    .old_size = OLD_CODE_SZ,
};

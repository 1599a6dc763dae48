/*
 * xlp_static_ref (builtin target only): xen_extra_version() ->
 * xlp_static_ref_fn(), which calls the image's static common/alpha.c#helper
 * and returns "helper(7)=22".
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_static_ref_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_static_ref = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_static_ref_patch_this_fnc,
    .new_addr = xlp_static_ref_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_static_ref_fn,
    .old_size = OLD_CODE_SZ,
};

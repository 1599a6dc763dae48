/*
 * xlp_dup_symbol: patches xen_extra_version() (-> xlp_dup_symbol_fn), and also
 * defines a new global xen_build_info() that it does not patch.  The image
 * already has that name, so upload fails -EEXIST (duplicate new symbol).
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_dup_symbol_patch_this_fnc[] = "xen_extra_version";

/* Not a patch: a new symbol that clashes with the image's xen_build_info. */
const char *xen_build_info(void)
{
    return "xlp_dup_symbol";
}

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_dup_symbol = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_dup_symbol_patch_this_fnc,
    .new_addr = xlp_dup_symbol_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_dup_symbol_fn,
    .old_size = OLD_CODE_SZ,
};

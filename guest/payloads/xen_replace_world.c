/*
 * xen_replace_world: xen_extra_version() -> xen_replace_world()
 * ("Hello Again World!"), meant for REPLACE.  old_addr is 0: the loader
 * resolves it by name and writes it back into the loaded entry.
 */
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char replace_world_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xen_replace_world = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = replace_world_patch_this_fnc,
    .new_addr = xen_replace_world,
    .old_addr = NULL,
    .new_size = NEW_CODE_SZ_xen_replace_world,
    .old_size = OLD_CODE_SZ,
};

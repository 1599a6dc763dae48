/*
 * xen_bye_world: xen_extra_version() -> xen_bye_world() ("Bye World!").
 * Stacks on xen_hello_world: its .livepatch.depends is hello's build-id.
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char bye_world_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xen_bye_world = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = bye_world_patch_this_fnc,
    .new_addr = xen_bye_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xen_bye_world,
    .old_size = OLD_CODE_SZ,
};

/*
 * xlp_revert_fails: xen_extra_version() -> xen_hello_world(), applied by Xen's
 * default code.  Its only hook is the revert action hook, which fails with -EIO
 * without touching anything (every function stays applied: consistent).  With
 * no pre/post hook, REPLACE is allowed while it is applied, and livepatch_do_action()
 * must then stop: the old payload keeps rc -EIO and stays APPLIED, REPLACE is -EINVAL.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include <hook_checks.h>
#include "payload_config.h"

static const char revert_fails_patch_this_fnc[] = "xen_extra_version";

static int cf_check revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    visit_funcs(payload, FSTATE_KEEP, __func__, "not reverting");

    printk("%s: Hook done with failure.\n", __func__);

    return -EIO;
}

LIVEPATCH_REVERT_HOOK(revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_revert_fails = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = revert_fails_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

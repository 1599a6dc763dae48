/*
 * xen_action_hooks_marker: xen_extra_version() -> xen_hello_world() with
 * Xen's default apply/revert; the pre/post hooks check that every function's
 * fstate goes NOT_APPLIED -> APPLIED -> NOT_APPLIED around them.  No data
 * besides .livepatch.funcs and the hook slots.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include <hook_checks.h>
#include "payload_config.h"

static const char action_hooks_marker_patch_this_fnc[] = "xen_extra_version";

static int cf_check pre_apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    expect_fstate(payload, LIVEPATCH_FUNC_NOT_APPLIED, __func__, "pre applied");

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static void cf_check post_apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    expect_fstate(payload, LIVEPATCH_FUNC_APPLIED, __func__, "post applied");

    printk("%s: Hook done.\n", __func__);
}

static int cf_check pre_revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    expect_fstate(payload, LIVEPATCH_FUNC_APPLIED, __func__, "pre reverted");

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static void cf_check post_revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    expect_fstate(payload, LIVEPATCH_FUNC_NOT_APPLIED, __func__, "post reverted");

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);
LIVEPATCH_PREREVERT_HOOK(pre_revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_action_hooks_marker = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = action_hooks_marker_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

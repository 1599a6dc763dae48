/*
 * xen_action_hooks: funcs xen_extra_version() -> xen_hello_world(), but the
 * apply and revert action hooks replace Xen's default: they only mark each
 * function (not) applied in payload->fstate, so the code is never actually
 * patched (xen_extra_version() keeps returning the original string).  The
 * post-revert hook checks that each action hook saw each function once.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include <hook_checks.h>
#include "payload_config.h"

static const char action_hooks_patch_this_fnc[] = "xen_extra_version";

static unsigned int apply_cnt;
static unsigned int revert_cnt;

static int cf_check apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    apply_cnt += visit_funcs(payload, LIVEPATCH_FUNC_APPLIED, __func__, "applying");

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static int cf_check revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    revert_cnt += visit_funcs(payload, LIVEPATCH_FUNC_NOT_APPLIED, __func__, "reverting");

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static void cf_check post_revert_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);

    for ( i = 0; i < payload->nfuncs; i++ )
    {
        BUG_ON(apply_cnt != 1 || revert_cnt != 1);
        printk("%s: reverted: %s\n", __func__, payload->funcs[i].name);
    }

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_APPLY_HOOK(apply_hook);
LIVEPATCH_REVERT_HOOK(revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_action_hooks = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = action_hooks_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

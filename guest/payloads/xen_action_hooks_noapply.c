/*
 * xen_action_hooks_noapply: xen_extra_version() -> xen_hello_world(), but
 * the apply action hook fails with -EINVAL without marking anything applied
 * (a consistent failure).  APPLY ends with payload->rc -EINVAL and the
 * payload CHECKED; the code is not patched.  The post-apply hook still runs
 * and checks that nothing is marked applied.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include <hook_checks.h>
#include "payload_config.h"

static const char action_hooks_noapply_patch_this_fnc[] = "xen_extra_version";

static unsigned int apply_cnt;       /* per function, over all attempts */
static unsigned int post_apply_cnt;  /* per attempt */

static int cf_check pre_apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    expect_fstate(payload, LIVEPATCH_FUNC_NOT_APPLIED, __func__, "pre applied");

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static int cf_check apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    apply_cnt += visit_funcs(payload, FSTATE_KEEP, __func__, "applying");

    printk("%s: Hook done with failure.\n", __func__);

    return -EINVAL; /* Nothing was marked applied: a consistent failure. */
}

static void cf_check post_apply_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting (rc=%d).\n", __func__, payload->rc);
    post_apply_cnt++;

    for ( i = 0; i < payload->nfuncs; i++ )
    {
        BUG_ON(apply_cnt != post_apply_cnt * payload->nfuncs);
        BUG_ON(payload->fstate[i].applied == LIVEPATCH_FUNC_APPLIED);
        printk("%s: post applied: %s\n", __func__, payload->funcs[i].name);
    }

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_APPLY_HOOK(apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_action_hooks_noapply = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = action_hooks_noapply_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

/*
 * xen_action_hooks_norevert: xen_extra_version() -> xen_hello_world(),
 * applied by Xen's default code.  The revert action hook fails with -EINVAL
 * without touching anything (all functions still applied: consistent), so
 * REVERT ends with payload->rc -EINVAL.  The post-revert hook then reverts
 * for real by calling Xen's revert_payload() and revert_payload_tail() with
 * interrupts off: the payload ends CHECKED and the code is restored.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include <hook_checks.h>
#include "payload_config.h"

static const char action_hooks_norevert_patch_this_fnc[] = "xen_extra_version";

static unsigned int revert_cnt;

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

static int cf_check revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);

    revert_cnt += visit_funcs(payload, FSTATE_KEEP, __func__, "reverting");

    printk("%s: Hook done with failure.\n", __func__);

    return -EINVAL; /* Nothing was reverted: a consistent failure. */
}

static void cf_check post_revert_hook(livepatch_payload_t *payload)
{
    unsigned long flags;
    unsigned int i;
    int rc;

    printk("%s: Hook starting (rc=%d).\n", __func__, payload->rc);

    /* The action failed, so everything must still be applied. */
    for ( i = 0; i < payload->nfuncs; i++ )
        BUG_ON(payload->fstate[i].applied != LIVEPATCH_FUNC_APPLIED);
    BUG_ON(revert_cnt != payload->nfuncs);

    /* Outside of the quiesced section: do the revert by hand. */
    local_irq_save(flags);
    rc = revert_payload(payload);
    BUG_ON(rc != 0);
    revert_payload_tail(payload);
    local_irq_restore(flags);

    expect_fstate(payload, LIVEPATCH_FUNC_NOT_APPLIED, __func__, "post reverted");

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);
LIVEPATCH_PREREVERT_HOOK(pre_revert_hook);
LIVEPATCH_REVERT_HOOK(revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_action_hooks_norevert = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = action_hooks_norevert_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

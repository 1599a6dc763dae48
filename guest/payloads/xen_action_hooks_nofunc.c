/*
 * xen_action_hooks_nofunc: no .livepatch.funcs at all (nfuncs 0), only the
 * apply, revert and post-revert hooks.  The per-function loops run zero
 * times; post-revert checks that both counters are still 0.
 */
#include <xen/lib.h>
#include <livepatch_payload.h>
#include <hook_checks.h>

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
    printk("%s: Hook starting.\n", __func__);

    BUG_ON(payload->nfuncs != 0);
    BUG_ON(apply_cnt != 0 || revert_cnt != 0);

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_APPLY_HOOK(apply_hook);
LIVEPATCH_REVERT_HOOK(revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

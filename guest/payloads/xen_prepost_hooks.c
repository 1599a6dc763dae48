/*
 * xen_prepost_hooks: xen_extra_version() -> xen_hello_world(), with the four
 * vetoing/post hooks.  The first REVERT is vetoed (pre-revert returns -1,
 * i.e. -EPERM, which becomes payload->rc); the second succeeds.  Each hook
 * checks the call counts expected by then; post-revert finally requires
 * pre-apply 1, post-apply 1, pre-revert 2, post-revert 1.
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char prepost_hooks_patch_this_fnc[] = "xen_extra_version";

static unsigned int pre_apply_cnt;
static unsigned int post_apply_cnt;
static unsigned int pre_revert_cnt;
static unsigned int post_revert_cnt;

static int cf_check pre_apply_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);
    pre_apply_cnt++;
    BUG_ON(pre_apply_cnt != 1 || post_apply_cnt != 0);

    for ( i = 0; i < payload->nfuncs; i++ )
        printk("%s: pre applying: %s\n", __func__, payload->funcs[i].name);

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static void cf_check post_apply_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);
    post_apply_cnt++;
    BUG_ON(pre_apply_cnt != 1 || post_apply_cnt != 1);

    for ( i = 0; i < payload->nfuncs; i++ )
        printk("%s: post applied: %s\n", __func__, payload->funcs[i].name);

    printk("%s: Hook done.\n", __func__);
}

static int cf_check pre_revert_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);
    pre_revert_cnt++;
    BUG_ON(pre_apply_cnt != 1 || post_apply_cnt != 1 || pre_revert_cnt > 2 ||
           post_revert_cnt != 0);

    for ( i = 0; i < payload->nfuncs; i++ )
        printk("%s: pre reverting: %s\n", __func__, payload->funcs[i].name);

    /* The first revert attempt always fails; the second one succeeds. */
    if ( pre_revert_cnt == 1 )
    {
        printk("%s: Hook done with failure.\n", __func__);
        return -1;
    }

    printk("%s: Hook done.\n", __func__);

    return 0;
}

static void cf_check post_revert_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);
    post_revert_cnt++;

    for ( i = 0; i < payload->nfuncs; i++ )
        printk("%s: post reverted: %s\n", __func__, payload->funcs[i].name);

    BUG_ON(pre_apply_cnt != 1 || post_apply_cnt != 1 || pre_revert_cnt != 2 ||
           post_revert_cnt != 1);

    printk("%s: Hook done.\n", __func__);
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);
LIVEPATCH_PREREVERT_HOOK(pre_revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_prepost_hooks = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = prepost_hooks_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

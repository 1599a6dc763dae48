/*
 * xen_prepost_hooks_fail: like xen_prepost_hooks, but the pre-apply hook
 * vetoes with -EINVAL: APPLY returns -EINVAL, payload->rc is -EINVAL and it
 * stays CHECKED.  None of the other hooks may ever run (each one BUGs).
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char prepost_hooks_fail_patch_this_fnc[] = "xen_extra_version";

static int cf_check pre_apply_hook(livepatch_payload_t *payload)
{
    unsigned int i;

    printk("%s: Hook starting.\n", __func__);

    for ( i = 0; i < payload->nfuncs; i++ )
        printk("%s: pre applying: %s\n", __func__, payload->funcs[i].name);

    printk("%s: Hook done with failure.\n", __func__);

    return -EINVAL;
}

static void cf_check post_apply_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);
    BUG();
}

static int cf_check pre_revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);
    BUG();
}

static void cf_check post_revert_hook(livepatch_payload_t *payload)
{
    printk("%s: Hook starting.\n", __func__);
    BUG();
}

LIVEPATCH_PREAPPLY_HOOK(pre_apply_hook);
LIVEPATCH_POSTAPPLY_HOOK(post_apply_hook);
LIVEPATCH_PREREVERT_HOOK(pre_revert_hook);
LIVEPATCH_POSTREVERT_HOOK(post_revert_hook);

struct livepatch_func __section(".livepatch.funcs") livepatch_prepost_hooks_fail = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = prepost_hooks_fail_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

/*
 * xen_hello_world: xen_extra_version() -> xen_hello_world() ("Hello World").
 *
 * Load hooks (run inside apply, array order): hi_func, apply_hook.
 * Unload hooks (inside revert): check_fnc, hi_func, revert_hook.
 * (gcc emits the hook slots in reverse order of definition.)  check_fnc BUGs
 * unless hi_func ran once or twice.  The counter lives in .bss, so once
 * reverted the payload cannot be applied again (it must be reloaded).
 */
#include <xen/lib.h>
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char hello_world_patch_this_fnc[] = "xen_extra_version";

static unsigned int cnt;

static void cf_check apply_hook(void)
{
    printk("Hook executing.\n");
}

static void cf_check revert_hook(void)
{
    printk("Hook unloaded.\n");
}

static void cf_check hi_func(void)
{
    printk("%s: Hi! (called %u times)\n", __func__, ++cnt);
}

static void cf_check check_fnc(void)
{
    printk("%s: Hi func called %u times\n", __func__, cnt);
    BUG_ON(cnt == 0 || cnt > 2);
}

LIVEPATCH_LOAD_HOOK(apply_hook);
LIVEPATCH_UNLOAD_HOOK(revert_hook);

/* Imbalance here: two load hooks and three unload hooks. */
LIVEPATCH_LOAD_HOOK(hi_func);
LIVEPATCH_UNLOAD_HOOK(hi_func);

LIVEPATCH_UNLOAD_HOOK(check_fnc);

struct livepatch_func __section(".livepatch.funcs") livepatch_xen_hello_world = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = hello_world_patch_this_fnc,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
};

/*
 * xlp_order_jmp (builtin target only): plain_answer() -> xlp_order_jmp_fn()
 * (43).  With xlp_order_nop, the planted load-order bug of `xlp explore`:
 * nop then jmp gives 43 (the jump overwrites the NOPs), jmp then nop NOPs the
 * jump away while this payload still says APPLIED.  Depends on the image, so
 * stacking the two needs LIVEPATCH_ACTION_APPLY_NODEPS.
 */
#include <xen/selftest.h>
#include <livepatch_payload.h>
#include "payload_config.h"

/* common/plain.c is built without return thunks: `mov $42,%eax; ret`. */
#define PLAIN_ANSWER_SZ 6

int xlp_order_jmp_fn(void);

static const char xlp_order_jmp_patch_this_fnc[] = "plain_answer";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_order_jmp = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_order_jmp_patch_this_fnc,
    .new_addr = xlp_order_jmp_fn,
    .old_addr = plain_answer,
    .new_size = NEW_CODE_SZ_xlp_order_jmp_fn,
    .old_size = PLAIN_ANSWER_SZ,
};

/*
 * xlp_order_nop (builtin target only): NOP out the first 5 bytes of
 * plain_answer() (new_addr 0).  Alone it leaves `ret` with whatever is in
 * %eax; applied after xlp_order_jmp it NOPs that payload's jump away (see
 * xlp_order_jmp.c).  Depends on the image: stacking needs NODEPS.
 */
#include <xen/selftest.h>
#include <livepatch_payload.h>
#include "payload_config.h"

/* common/plain.c is built without return thunks: `mov $42,%eax; ret`. */
#define PLAIN_ANSWER_SZ 6

static const char xlp_order_nop_patch_this_fnc[] = "plain_answer";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_order_nop = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_order_nop_patch_this_fnc,
    .new_addr = NULL,
    .old_addr = plain_answer,
    .new_size = 5,
    .old_size = PLAIN_ANSWER_SZ,
};

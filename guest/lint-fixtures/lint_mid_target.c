/*
 * XLP009: patches mid_target, whose first 5 bytes mid_jumper jumps into
 * (jmp mid_target+2). With -DLINT_BOTH it patches mid_jumper too, which makes
 * that branch dead code and the finding goes away.
 */
#include "lint_fixture.h"

int lint_mid_target_new(void);
int lint_mid_target_new(void)
{
    return 4;
}

#ifndef LINT_BOTH
LINT_PATCH(lint_mid_target, "mid_target", lint_mid_target_new, mid_target, SIZE_mid_target);
#else
int lint_mid_jumper_new(int x);
int lint_mid_jumper_new(int x)
{
    return x + 4;
}

static const char lint_mid_target_name[] = "mid_target";
static const char lint_mid_jumper_name[] = "mid_jumper";

/* One array: separate variables would each be aligned to 32 bytes, leaving a gap Xen would read as a record. */
struct livepatch_func __section(".livepatch.funcs") lint_mid_both[] = {
    {
        .version = LIVEPATCH_PAYLOAD_VERSION, .name = lint_mid_target_name, .new_addr = lint_mid_target_new,
        .old_addr = mid_target, .new_size = 16, .old_size = SIZE_mid_target,
    },
    {
        .version = LIVEPATCH_PAYLOAD_VERSION, .name = lint_mid_jumper_name, .new_addr = lint_mid_jumper_new,
        .old_addr = mid_jumper, .new_size = 16, .old_size = SIZE_mid_jumper,
    },
};
#endif

/*
 * A payload with nothing wrong: patches common/alpha.c#helper (called from
 * alpha_call, which only reads the return value) with the right old_size.
 * With -DLINT_EXPECT it also carries the expectation that
 * `xlp lint --write-expectations` printed for it (lint_expect.inc).
 */
#include "lint_fixture.h"

extern char image_alpha_helper[] IMAGE_SYMBOL("common/alpha.c#helper");

int lint_clean_new(int x);
int lint_clean_new(int x)
{
    return x * 3 + 2;
}

static const char lint_clean_name[] = "common/alpha.c#helper";

struct livepatch_func __section(".livepatch.funcs") lint_clean = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = lint_clean_name,
    .new_addr = lint_clean_new,
    .old_addr = image_alpha_helper,
    .new_size = 16,
    .old_size = SIZE_common_alpha_c_helper,
#ifdef LINT_EXPECT
#include "lint_expect.inc"
#endif
};

/*
 * XLP002: symbols Xen would export under names that are taken. The new code
 * prints __func__, so the payload exports a local `__func__.N` that any other
 * payload may also have (warning). With -DLINT_MANGLED it also carries a table
 * named like livepatch-build-tools mangles locals, common/selftest.c#CSWTCH.N,
 * which the image already has (error: -EEXIST).
 */
#include <xen/lib.h>
#include "lint_fixture.h"

#ifdef LINT_MANGLED
static const unsigned int mangled[CSWTCH_SIZE / 4] IMAGE_SYMBOL(CSWTCH_NAME) = { 1, 2, 3, 4, 5, 6, 7, 8 };
#endif

int lint_locals_new(int x);
int lint_locals_new(int x)
{
    printk("%s: %d\n", __func__, x);
#ifdef LINT_MANGLED
    return (int)mangled[(unsigned int)x % (CSWTCH_SIZE / 4)];
#else
    return x + 1;
#endif
}

LINT_PATCH(lint_locals, "common/alpha.c#helper", lint_locals_new, NULL, SIZE_common_alpha_c_helper);

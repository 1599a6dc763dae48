/*
 * XLP006 (note): patches selftest_cold, whose unlikely path gcc split into
 * selftest_cold.cold; only selftest_cold jumps there, so once patched the
 * .cold part is dead code. With -DLINT_OLD_SIZE=n, old_size is n instead of
 * the image's size (XLP004).
 */
#include "lint_fixture.h"

#ifndef LINT_OLD_SIZE
#define LINT_OLD_SIZE SIZE_selftest_cold
#endif

int lint_cold_new(int x);
int lint_cold_new(int x)
{
    return x < 0 ? 0 : x + 2;
}

LINT_PATCH(lint_cold, "selftest_cold", lint_cold_new, selftest_cold, LINT_OLD_SIZE);

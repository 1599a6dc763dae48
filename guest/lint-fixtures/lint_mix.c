/*
 * XLP006 + XLP013: patches selftest_mix by name (old_addr 0). The image has
 * no such function, only its IPA clone selftest_mix.constprop.0, which
 * selftest_ipa calls. The new code also calls `helper` by its plain name,
 * but the image only has the statics common/alpha.c#helper and
 * common/beta.c#helper.
 */
#include "lint_fixture.h"

int helper(int x);

unsigned int lint_mix_byname_new(unsigned int x, unsigned int k);
unsigned int lint_mix_byname_new(unsigned int x, unsigned int k)
{
    return x * k + (unsigned int)helper((int)k);
}

LINT_PATCH(lint_mix, "common/selftest.c#selftest_mix", lint_mix_byname_new, NULL, 16);

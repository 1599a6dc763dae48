/*
 * XLP007: patches the IPA clone selftest_mix.constprop.0 itself. Its caller
 * selftest_ipa keeps x in %edi across the first call (gcc's -fipa-ra knows the
 * clone leaves %edi alone), so a new version that used %edi would break it.
 */
#include "lint_fixture.h"

extern char image_mix_clone[] IMAGE_SYMBOL(MIX_CLONE_NAME);

unsigned int lint_mix_new(unsigned int x);
unsigned int lint_mix_new(unsigned int x)
{
    return x * 81 + 18;
}

LINT_PATCH(lint_ipa, MIX_CLONE_NAME, lint_mix_new, image_mix_clone, SIZE_MIX_CLONE);

/*
 * XLP001 (error): the payload carries its own CSWTCH.N "from common/selftest.c"
 * (the builder renames this file's STT_FILE symbol to that path) with other
 * contents than the image's common/selftest.c#CSWTCH.N, and also binds to the
 * image's by name: the two builds disagree on what the name means.
 */
#include "lint_fixture.h"

static const unsigned int own_table[CSWTCH_SIZE / 4] __asm__(CSWTCH_LOCAL_NAME) = {
    39, 33, 29, 24, 19, 13, 9, 5,
};
extern const unsigned int image_cswtch[] IMAGE_SYMBOL(CSWTCH_NAME);

unsigned int lint_cswtch_copy_new(unsigned int v);
unsigned int lint_cswtch_copy_new(unsigned int v)
{
    return v < CSWTCH_SIZE / 4 ? own_table[v] + image_cswtch[v] : 0;
}

LINT_PATCH(lint_cswtch_copy, "selftest_cswtch", lint_cswtch_copy_new, selftest_cswtch, SIZE_selftest_cswtch);

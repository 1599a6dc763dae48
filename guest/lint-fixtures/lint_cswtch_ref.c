/*
 * XLP001: the new selftest_cswtch() reads the image's own switch table,
 * common/selftest.c#CSWTCH.N, by name. The name is only right for this very
 * build (warning). -DLINT_REF='"..."' names another table (error when the
 * image has none by that name); -DLINT_REF_OFFSET=n reads from byte n on
 * (error when that is past the image's table). gcc's table holds 4-byte
 * string offsets.
 */
#include "lint_fixture.h"

#ifndef LINT_REF
#define LINT_REF CSWTCH_NAME
#endif
#ifndef LINT_REF_OFFSET
#define LINT_REF_OFFSET 0
#endif

extern const unsigned int image_cswtch[] IMAGE_SYMBOL(LINT_REF);
extern const char image_names[] IMAGE_SYMBOL("common/selftest.c#selftest_names");

const char *lint_cswtch_new(int v);
const char *lint_cswtch_new(int v)
{
    const unsigned int *table = (const void *)((const char *)image_cswtch + LINT_REF_OFFSET);
    unsigned int off = (unsigned int)v < CSWTCH_SIZE / 4 ? table[v] : 39;

    return &image_names[off];
}

LINT_PATCH(lint_cswtch_ref, "selftest_cswtch", lint_cswtch_new, selftest_cswtch, SIZE_selftest_cswtch);

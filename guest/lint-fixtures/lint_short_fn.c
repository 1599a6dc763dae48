/* XLP003: patches short_fn, which is 4 bytes: a 5-byte jump does not fit. */
#include "lint_fixture.h"

int lint_short_fn_new(int x);
int lint_short_fn_new(int x)
{
    return x + 2;
}

LINT_PATCH(lint_short_fn, "short_fn", lint_short_fn_new, short_fn, SIZE_short_fn);

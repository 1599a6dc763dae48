/* Fixture: a static helper() whose name clashes with common/beta.c's. */
#include <xen/selftest.h>

static noinline int helper(int x)
{
    return x * 3 + 1;
}

int alpha_call(int x)
{
    return helper(x) + 100;
}

/* Fixture: a static helper() whose name clashes with common/alpha.c's. */
#include <xen/selftest.h>

static noinline int helper(int x)
{
    return x * 5 - 2;
}

int beta_call(int x)
{
    return helper(x) + 200;
}

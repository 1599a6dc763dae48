/*
 * Built without -mfunction-return=thunk-extern (see Makefile), so these
 * functions end in a plain one-byte ret instead of a jmp to the return thunk.
 */
#include <xen/selftest.h>

int plain_answer(void)
{
    return 42;
}

int plain_add(int a, int b)
{
    return a + b;
}

/* The new xen_extra_version() of xlp_bug: a BUG frame; does not return. */
#include <xen/lib.h>
#include <payload_funcs.h>

const char *xlp_bug_fn(void)
{
    BUG();
}

/*
 * The new xen_extra_version() of xen_hello_world (also used by the hooks and
 * expectations payloads).  Like Xen's test it exercises the payload's own
 * exception table: the load from a non-canonical address raises #GP, which the
 * payload's .ex_table entry fixes up.  If that did not happen, the BUG_ON
 * (a frame in the payload's .bug_frames.2) would fire.
 */
#include <xen/lib.h>
#include <payload_funcs.h>

const char *xen_hello_world(void)
{
    unsigned long tmp;
    int rc = read_u64_guarded(NON_CANONICAL_ADDR, &tmp);

    BUG_ON(rc != -EFAULT);

    return "Hello World";
}

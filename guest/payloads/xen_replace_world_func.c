/* The new xen_extra_version() of xen_replace_world. */
#include <payload_funcs.h>

const char *xen_replace_world(void)
{
    return "Hello Again World!";
}

/* The new xen_extra_version() of xen_bye_world. */
#include <payload_funcs.h>

const char *xen_bye_world(void)
{
    return "Bye World!";
}

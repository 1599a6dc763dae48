/* The new xen_extra_version() of xlp_warn: a WARN frame, then carries on. */
#include <xen/lib.h>
#include <payload_funcs.h>

const char *xlp_warn_fn(void)
{
    WARN();

    return "Warned";
}

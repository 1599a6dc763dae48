/* The new xen_extra_version() of xlp_dup_symbol (the upload fails before it can be applied). */
#include <payload_funcs.h>

const char *xlp_dup_symbol_fn(void)
{
    return "Dup Symbol";
}

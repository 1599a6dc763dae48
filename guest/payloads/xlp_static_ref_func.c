/*
 * The new xen_extra_version() of xlp_static_ref: calls the image's static
 * helper() of common/alpha.c (x * 3 + 1).  The quoted assembler name is the
 * name in the image's symbol table, path#name, which the loader resolves.
 */
#include <xen/lib.h>
#include <payload_funcs.h>

extern int alpha_helper(int x) __asm__("\"common/alpha.c#helper\"");

static char xlp_static_ref_buf[32];

const char *xlp_static_ref_fn(void)
{
    snprintf(xlp_static_ref_buf, sizeof(xlp_static_ref_buf), "helper(7)=%d",
             alpha_helper(7));

    return xlp_static_ref_buf;
}

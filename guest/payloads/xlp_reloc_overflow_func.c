/*
 * The new xen_extra_version() of xlp_reloc_overflow.  xlp_far_away is an
 * absolute symbol (ld --defsym, see payloads.mk) far below the payload, so the
 * RIP-relative lea's R_X86_64_PC32 cannot be applied: upload -EOVERFLOW.
 */
#include <payload_funcs.h>

extern const char xlp_far_away[];

const char *xlp_reloc_overflow_fn(void)
{
    return xlp_far_away;
}

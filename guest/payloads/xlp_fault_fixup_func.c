/*
 * The new xen_extra_version() of xlp_fault_fixup: reads an unmapped (but
 * canonical) address, so #PF; the payload's own .ex_table entry resumes in
 * its .fixup stub.  "Fixed Up" means the fault happened and was fixed up.
 */
#include <payload_funcs.h>

const char *xlp_fault_fixup_fn(void)
{
    unsigned long tmp;

    if ( read_u64_guarded(XLP_UNMAPPED_ADDR, &tmp) != -EFAULT )
        return "No Fault";

    return "Fixed Up";
}

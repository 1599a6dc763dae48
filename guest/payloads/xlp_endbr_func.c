/*
 * The new selftest_endbr_fn() of xlp_endbr.  cf_check like the original (it
 * starts with ENDBR64 too); the jump is written after the old ENDBR64.
 */
#include <payload_funcs.h>

int cf_check xlp_endbr_fn(void)
{
    return 0x4321;
}

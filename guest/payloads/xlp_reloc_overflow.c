/*
 * xlp_reloc_overflow: xen_extra_version() -> xlp_reloc_overflow_fn(), whose
 * R_X86_64_PC32 against the absolute xlp_far_away (ld --defsym, 0x1000) does
 * not fit in 32 bits: upload fails -EOVERFLOW.
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char xlp_reloc_overflow_patch_this_fnc[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_xlp_reloc_overflow = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xlp_reloc_overflow_patch_this_fnc,
    .new_addr = xlp_reloc_overflow_fn,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ_xlp_reloc_overflow_fn,
    .old_size = OLD_CODE_SZ,
};

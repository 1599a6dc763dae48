/*
 * xen_nop (and xen_no_xen_buildid, the same object without the
 * .livepatch.xen_depends note): NOP out all but the last byte of
 * xen_minor_version().  Like Xen's test this assumes the function ends in a
 * one-byte ret; here (and in Debian's Xen) it ends in `jmp __x86_return_thunk`,
 * so the patched function is left with a stray 0xff byte after 9 NOP bytes.
 * The address comes from the target's symbol table (no relocation).
 */
#include <livepatch_payload.h>
#include "payload_config.h"

static const char xen_nop_patch_this_fnc[] = "xen_minor_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_nop = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = xen_nop_patch_this_fnc,
    .new_addr = NULL,
    .old_addr = (void *)MINOR_VERSION_ADDR,
    /* Everything but the last instruction, assumed to be a 1-byte ret. */
    .new_size = MINOR_VERSION_SZ - 1,
    .old_size = MINOR_VERSION_SZ,
};

/*
 * xen_expectations_fail: like xen_expectations, but expects bytes that are
 * not there (DE AD C0 DE BA BE): APPLY returns -EINVAL, the payload stays
 * CHECKED.  old_size (OLD_CODE_SZ) is >= the 6 expected bytes, so the data
 * comparison is what fails (not the -ERANGE length check).
 */
#include <xen/version.h>
#include <livepatch_payload.h>
#include <payload_funcs.h>
#include "payload_config.h"

static const char livepatch_exceptions_str[] = "xen_extra_version";

struct livepatch_func __section(".livepatch.funcs") livepatch_exceptions = {
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .name = livepatch_exceptions_str,
    .new_addr = xen_hello_world,
    .old_addr = xen_extra_version,
    .new_size = NEW_CODE_SZ,
    .old_size = OLD_CODE_SZ,
    .expect = {
        .enabled = 1,
        .len = 6,
        .data = { 0xde, 0xad, 0xc0, 0xde, 0xba, 0xbe },
    },
};

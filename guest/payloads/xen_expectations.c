/*
 * xen_expectations: xen_extra_version() -> xen_hello_world(), guarded by an
 * expectation: the first EXPECT_BYTES_COUNT (8) bytes at old_addr must still
 * be the target's original code.  Applies on an unpatched xen_extra_version()
 * ("Hello World"); fails -EINVAL if something already patched it.
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
    .new_size = EXPECT_BYTES_COUNT,
    .old_size = EXPECT_BYTES_COUNT,
    .expect = {
        .enabled = 1,
        .len = EXPECT_BYTES_COUNT,
        .data = XEN_EXTRA_VERSION_EXPECT,
    },
};

/*
 * The hypervisor side of live patching that this image keeps: the quiescent
 * point.  Everything else (upload, apply, revert) is done by the TypeScript
 * loader, which traps check_for_livepatch_work() to run pending work there.
 */
#include <xen/types.h>
#include <xen/livepatch.h>

unsigned long livepatch_work_checks;

/* Non-static and noinline so it has its own address for the loader to trap. */
noinline void check_for_livepatch_work(void)
{
    livepatch_work_checks++;
}

/* An address-taken no-op (hence cf_check and its ENDBR64), e.g. for hook slots. */
void cf_check do_livepatch_noop(void)
{
}

/*
 * Served by the loader from the host: Xen's revert_payload() (undo every
 * function of @data, run its unload hooks) and revert_payload_tail() (take it
 * off the applied list, mark it reverted and CHECKED).  Non-static and noinline
 * so that each has an address and a symbol of its own.
 */
noinline int revert_payload(struct payload *data)
{
    return -38; /* -ENOSYS: only reached if the loader does not trap it */
}

noinline void revert_payload_tail(struct payload *data)
{
}

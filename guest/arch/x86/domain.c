/* The idle loop: the quiescent point where deferred work and live patching run. */
#include <xen/types.h>
#include <xen/livepatch.h>
#include <xen/tasklet.h>
#include <xen/selftest.h>

unsigned long idle_loop_iterations;

/*
 * Xen's idle loop never returns; this one runs @iterations rounds so the
 * emulator can call it like any function.  Same order as Xen: tasklets
 * first, then the live-patch check.
 */
void idle_loop(unsigned long iterations)
{
    unsigned long i;

    for ( i = 0; i < iterations; i++ )
    {
        do_tasklet();
        check_for_livepatch_work();
        idle_loop_iterations++;
    }
}

/*
 * What the action-hook test payloads do to every function of their payload:
 * check its per-function state, or set it (as an action hook must), printing
 * one line per function as Xen's own test hooks do.
 */
#ifndef HOOK_CHECKS_H
#define HOOK_CHECKS_H

#include <xen/lib.h>
#include <livepatch_payload.h>

/* visit_funcs(): leave the state as it is. */
#define FSTATE_KEEP (-1)

/* BUG() unless every function's state is `want`. */
static inline void expect_fstate(const livepatch_payload_t *payload, uint32_t want,
                                 const char *hook, const char *what)
{
    unsigned int i;

    for ( i = 0; i < payload->nfuncs; i++ )
    {
        BUG_ON(payload->fstate[i].applied != want);
        printk("%s: %s: %s\n", hook, what, payload->funcs[i].name);
    }
}

/* Set every function's state to `state` (unless FSTATE_KEEP); returns how many. */
static inline unsigned int visit_funcs(livepatch_payload_t *payload, int state,
                                       const char *hook, const char *what)
{
    unsigned int i;

    for ( i = 0; i < payload->nfuncs; i++ )
    {
        if ( state != FSTATE_KEEP )
            payload->fstate[i].applied = state;
        printk("%s: %s: %s\n", hook, what, payload->funcs[i].name);
    }

    return payload->nfuncs;
}

#endif /* HOOK_CHECKS_H */

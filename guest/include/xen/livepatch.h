#ifndef XEN_LIVEPATCH_H
#define XEN_LIVEPATCH_H

/* Counts calls; the loader traps this function to run pending live-patch work. */
extern unsigned long livepatch_work_checks;

void check_for_livepatch_work(void);
void cf_check do_livepatch_noop(void);

/*
 * Xen's default revert and its bookkeeping tail (common/livepatch.c), which
 * payload hooks may call (xen_action_hooks_norevert).  The loader serves both
 * from the host, as it does check_for_livepatch_work(); the bodies here are
 * placeholders.
 */
struct payload;
int revert_payload(struct payload *data);
void revert_payload_tail(struct payload *data);

#endif /* XEN_LIVEPATCH_H */

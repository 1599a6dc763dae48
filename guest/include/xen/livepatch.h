#ifndef XEN_LIVEPATCH_H
#define XEN_LIVEPATCH_H

/* Counts calls; the loader traps this function to run pending live-patch work. */
extern unsigned long livepatch_work_checks;

void check_for_livepatch_work(void);
void cf_check do_livepatch_noop(void);

#endif /* XEN_LIVEPATCH_H */

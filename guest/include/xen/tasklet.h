#ifndef XEN_TASKLET_H
#define XEN_TASKLET_H

#include <xen/types.h>

/* Deferred work run from the idle loop, one CPU, FIFO order. */
struct tasklet {
    struct tasklet *next;
    bool scheduled;
    void (*func)(unsigned long data);
    unsigned long data;
};

extern unsigned long tasklets_run;

void tasklet_init(struct tasklet *t, void (*func)(unsigned long), unsigned long data);
void tasklet_schedule(struct tasklet *t);
void do_tasklet(void);

#endif /* XEN_TASKLET_H */

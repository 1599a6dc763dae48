/* Single-CPU tasklets: a FIFO list drained by do_tasklet() from the idle loop. */
#include <xen/types.h>
#include <xen/tasklet.h>

static struct tasklet *tasklet_head;
static struct tasklet **tasklet_tail = &tasklet_head;

unsigned long tasklets_run;

void tasklet_init(struct tasklet *t, void (*func)(unsigned long),
                  unsigned long data)
{
    t->next = NULL;
    t->scheduled = false;
    t->func = func;
    t->data = data;
}

void tasklet_schedule(struct tasklet *t)
{
    if ( t->scheduled )
        return;

    t->scheduled = true;
    t->next = NULL;
    *tasklet_tail = t;
    tasklet_tail = &t->next;
}

void do_tasklet(void)
{
    struct tasklet *t;

    while ( (t = tasklet_head) != NULL )
    {
        tasklet_head = t->next;
        if ( !tasklet_head )
            tasklet_tail = &tasklet_head;

        /* Cleared first so the function may reschedule itself. */
        t->scheduled = false;
        t->func(t->data);
        tasklets_run++;
    }
}

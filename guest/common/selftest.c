/*
 * Self-tests and fixtures the emulator calls directly: BUG frames, a
 * CSWTCH table, IPA clones and a .cold part, ENDBR functions, printk formats
 * and a tasklet.  Expected results are listed in README.md.
 */
#include <xen/types.h>
#include <xen/lib.h>
#include <xen/tasklet.h>
#include <xen/selftest.h>
#include <asm/regs.h>

/* ---- a switch gcc turns into a CSWTCH.N lookup table ------------------- */

/*
 * Under -fpic gcc will not turn a switch returning pointers into a table (it
 * would need relocations), so the switch yields offsets into one string blob
 * and the table (CSWTCH.N, in .rodata) holds bytes.
 */
static const char selftest_names[] =
    "zero\0one\0two\0three\0four\0five\0six\0seven\0many";

const char *selftest_cswtch(int v)
{
    unsigned int off;

    switch ( v )
    {
    case 0: off = 0; break;
    case 1: off = 5; break;
    case 2: off = 9; break;
    case 3: off = 13; break;
    case 4: off = 19; break;
    case 5: off = 24; break;
    case 6: off = 29; break;
    case 7: off = 33; break;
    default: off = 39; break;
    }

    return &selftest_names[off];
}

/* ---- IPA clone (.constprop) and a .cold part --------------------------- */

/* Every caller passes k == 3, so IPA-CP specialises it as selftest_mix.constprop.0. */
static noinline unsigned int selftest_mix(unsigned int x, unsigned int k)
{
    unsigned int i, acc = x;

    for ( i = 0; i < 4; i++ )
        acc = acc * k + i;

    return acc;
}

/* selftest_mix(x, 3) = 81x + 18, so this is 162x + 117 (279 for x = 1). */
int selftest_ipa(int x)
{
    return selftest_mix(x, 3) + selftest_mix(x + 1, 3);
}

static __cold noinline void selftest_cold_report(int x)
{
    printk("selftest: cold path x=%d\n", x);
}

/* The x < 0 path calls a cold function, so gcc splits it out as selftest_cold.cold. */
int selftest_cold(int x)
{
    if ( unlikely(x < 0) )
    {
        selftest_cold_report(x);
        return 0;
    }

    return x + 1;
}

/* ---- ENDBR64 functions (cf_check) and an indirect call through a thunk -- */

unsigned long selftest_endbr_calls;

/* ENDBR64 + >= 16 bytes, for trampoline-after-ENDBR tests: returns 0x1234. */
int cf_check selftest_endbr_fn(void)
{
    selftest_endbr_calls++;
    return 0x1234;
}

/* volatile: the call must stay indirect (via __x86_indirect_thunk_rax). */
static int (*volatile selftest_endbr_ptr)(void) = selftest_endbr_fn;

int selftest_call_indirect(void)
{
    return selftest_endbr_ptr() + 1;
}

/* ---- printk ------------------------------------------------------------- */

/* Prints exactly the line given in README.md. */
void selftest_printk(void)
{
    printk("printk: %s|%c|%d|%i|%u|%x|%lx|%lu|%ld|%p|%%|%5d|%-5d|%05d|%08lx|"
           "%.3s|%zu|%lld|%X|%-4s|%s\n",
           "str", 'c', -42, 17, 3000000000U, 0xbeefU, 0xffff82d040200000UL,
           18446744073709551615UL, -9000000000L, (void *)0xffff82d040200000UL,
           42, 42, -42, 0xabcUL, "abcdef", (size_t)123, -5LL, 0xabcdU, "ab",
           (const char *)NULL);
}

/* ---- a tasklet, run by idle_loop() ------------------------------------- */

unsigned long selftest_tasklet_sum;

static void cf_check selftest_tasklet_fn(unsigned long data)
{
    selftest_tasklet_sum += data;
    printk("selftest: tasklet ran data=%lu\n", data);
}

static struct tasklet selftest_tasklet;

/* Schedules one tasklet carrying @data; returns 0, or -1 if already pending. */
int selftest_schedule_tasklet(unsigned long data)
{
    if ( selftest_tasklet.scheduled )
        return -1;

    tasklet_init(&selftest_tasklet, selftest_tasklet_fn, data);
    tasklet_schedule(&selftest_tasklet);

    return 0;
}

/* ---- BUG frames -------------------------------------------------------- */

/*
 * Kept at the end of the file so their line numbers exceed 127 and use both
 * halves of the line encoding.
 */

/* The #UD handler prints "Xen WARN at common/selftest.c:<line>" and resumes after ud2. */
int selftest_warn(void)
{
    WARN();
    return 42;
}

/* Does not return: "Xen BUG at common/selftest.c:<line>". */
void selftest_bug(void)
{
    BUG();
}

/* x == 0: "Assertion 'x != 0' failed at common/selftest.c:<line>". */
int selftest_assert(int x)
{
    ASSERT(x != 0);
    return x;
}

unsigned long selftest_run_fn_hits;

/* Called by the #UD handler with the trap frame; address-taken, so cf_check. */
static void cf_check selftest_run_fn_handler(struct cpu_user_regs *regs)
{
    selftest_run_fn_hits++;
    printk("selftest: run_in_exception_handler fn called (regs %s)\n",
           regs ? "ok" : "NULL");
}

/* 7 if the handler ran exactly once, -1 if the ud2 was skipped without it. */
int selftest_run_fn(void)
{
    unsigned long before = READ_ONCE(selftest_run_fn_hits);

    run_in_exception_handler(selftest_run_fn_handler);

    return READ_ONCE(selftest_run_fn_hits) == before + 1 ? 7 : -1;
}

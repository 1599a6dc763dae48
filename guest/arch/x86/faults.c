/*
 * Fault self-tests: each faulting instruction has an .ex_table entry whose
 * .fixup stub stores a distinct value and jumps back.  Without a fixup the
 * functions return 0 (the instruction did not fault) or do not return at all
 * (the fault was fatal).
 */
#include <xen/types.h>
#include <xen/errno.h>
#include <xen/selftest.h>
#include <asm/asm_defns.h>
#include <asm/uaccess.h>

/* Non-canonical: any access raises #GP, not #PF. */
#define NONCANONICAL ((void *)0xdead000000000000UL)

#define FIX_PF_READ  (-101L)
#define FIX_PF_WRITE (-102L)
#define FIX_GP       (-103L)
#define FIX_DE       (-104L)
#define FIX_UD       (-105L)
#define FIX_BP       (-106L)

/*
 * Each probe returns fixval if its instruction faulted and was fixed up,
 * 0 otherwise.  always_inline so every use is its own instruction with its
 * own .ex_table entry.
 */
static always_inline long probe_read(const void *p, long fixval)
{
    unsigned long val;
    long rc = 0;

    asm volatile ( "1:  mov (%[p]), %[val]\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[fv], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc), [val] "=&r" (val)
                   : [p] "r" (p), [fv] "ir" (fixval)
                   : "memory" );

    return rc;
}

static always_inline long probe_write(void *p, long fixval)
{
    long rc = 0;

    asm volatile ( "1:  movq $0x5a, (%[p])\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[fv], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc)
                   : [p] "r" (p), [fv] "ir" (fixval)
                   : "memory" );

    return rc;
}

/* *quot = dividend / divisor unless the div raised #DE. */
static always_inline long probe_div(unsigned long dividend,
                                    unsigned long divisor,
                                    unsigned long *quot, long fixval)
{
    unsigned long lo = dividend, hi = 0;
    long rc = 0;

    asm volatile ( "1:  divq %[d]\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[fv], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc), "+a" (lo), "+d" (hi)
                   : [d] "r" (divisor), [fv] "ir" (fixval) );

    *quot = lo;
    return rc;
}

/* A ud2 with an .ex_table entry and no bug frame: #UD falls through to the fixup. */
static always_inline long probe_ud(long fixval)
{
    long rc = 0;

    asm volatile ( "1:  ud2\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[fv], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc)
                   : [fv] "ir" (fixval) );

    return rc;
}

/*
 * int3 is a trap: the reported rip is the next instruction, so that is what
 * the entry names.  The nop gives that address an instruction of its own,
 * so it cannot coincide with the next probe's entry.
 */
static always_inline long probe_int3(long fixval)
{
    long rc = 0;

    asm volatile ( "    int3\n"
                   "1:  nop\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[fv], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc)
                   : [fv] "ir" (fixval) );

    return rc;
}

/* #PF on a read of @bad (an unmapped address): -101. */
long selftest_pf_read(const void *bad)
{
    return probe_read(bad, FIX_PF_READ);
}

/* #PF on a write to @bad (unmapped or read-only): -102. */
long selftest_pf_write(void *bad)
{
    return probe_write(bad, FIX_PF_WRITE);
}

/* #GP on a load from 0xdead000000000000: -103. */
long selftest_gp(void)
{
    return probe_read(NONCANONICAL, FIX_GP);
}

/* 1000 / divisor, or -104 after #DE when divisor == 0. */
long selftest_de(unsigned long divisor)
{
    unsigned long q;
    long rc = probe_div(1000, divisor, &q, FIX_DE);

    return rc ? rc : (long)q;
}

/* #UD from a ud2 that is not a BUG frame: -105. */
long selftest_ud(void)
{
    return probe_ud(FIX_UD);
}

/* #BP from int3, fixed up at the instruction after it: -106. */
long selftest_bp(void)
{
    return probe_int3(FIX_BP);
}

/* A fault three calls deep: selftest_many_faults -> depth1 -> depth2 -> depth3. */
static noipa long fault_depth3(const void *bad)
{
    return probe_read(bad, 1);
}

/* The empty asm after each call keeps it from becoming a tail jump. */
static noipa long fault_depth2(const void *bad)
{
    long r = fault_depth3(bad);

    asm volatile ( "" : "+r" (r) );
    return r;
}

static noipa long fault_depth1(const void *bad)
{
    long r = fault_depth2(bad);

    asm volatile ( "" : "+r" (r) );
    return r;
}

/*
 * Ten fixed-up faults in one call; returns how many were fixed up (10), or
 * -1000 if callee-saved registers did not survive a fault (checked by
 * fault_regs_probe), or -2000 if a value held across the faults changed.
 */
long selftest_many_faults(void *bad)
{
    unsigned long sentinel = (unsigned long)bad ^ 0x5a5aa5a5c3c33c3cUL;
    unsigned long q, buf[2];
    long n = 0, regs;

    /* Opaque from here on: it has to live in a register or stack slot. */
    asm volatile ( "" : "+r" (sentinel) );

    n += probe_read(bad, 1);                         /*  1: #PF read    */
    n += probe_read(NONCANONICAL, 1);                /*  2: #GP read    */
    n += probe_div(1, 0, &q, 1);                     /*  3: #DE         */
    n += probe_write(bad, 1);                        /*  4: #PF write   */
    n += probe_ud(1);                                /*  5: #UD         */
    n += copy_from_unsafe(buf, bad, sizeof(buf)) == -EFAULT; /* 6: #PF in rep movsb */
    n += fault_depth1(bad);                          /*  7: #PF 3 deep  */
    n += probe_int3(1);                              /*  8: #BP         */
    regs = fault_regs_probe(bad);                    /*  9: #PF + regs  */
    n += probe_write(NONCANONICAL, 1);               /* 10: #GP write   */

    if ( regs < 0 )
        return -1000;
    n += regs;

    asm volatile ( "" : "+r" (sentinel) );
    if ( (sentinel ^ 0x5a5aa5a5c3c33c3cUL) != (unsigned long)bad )
        return -2000;

    return n;
}

/*
 * The replacement functions (payloads/NAME_func.c) and small helpers shared by
 * the payloads.  The *_func.c files are compiled without payload_config.h:
 * their sizes go into it (NEW_CODE_SZ_<name>), as in Xen's test Makefile.
 */
#ifndef PAYLOAD_FUNCS_H
#define PAYLOAD_FUNCS_H

#include <xen/types.h>
#include <xen/errno.h>
#include <asm/asm_defns.h>

const char *xen_hello_world(void);      /* "Hello World" */
const char *xen_bye_world(void);        /* "Bye World!" */
const char *xen_replace_world(void);    /* "Hello Again World!" */
const char *xlp_fault_fixup_fn(void);   /* "Fixed Up" after a fixed-up #PF */
const char *xlp_warn_fn(void);          /* WARN(), then "Warned" */
const char *xlp_bug_fn(void);           /* BUG() */
const char *xlp_reloc_overflow_fn(void);
const char *xlp_static_ref_fn(void);    /* "helper(7)=22" via common/alpha.c#helper */
const char *xlp_dup_symbol_fn(void);    /* "Dup Symbol" (never applied) */
int cf_check xlp_endbr_fn(void);        /* 0x4321 */

/* A non-canonical address: a load from it raises #GP. */
#define NON_CANONICAL_ADDR 0xdead000000000000UL
/* A canonical address that nothing maps (beyond Xen's 1 GiB image window): #PF. */
#define XLP_UNMAPPED_ADDR  0xffff82d0bad00000UL

/*
 * *val = *p, or -EFAULT (and *val = 0) if the load faults: an .ex_table entry
 * sends the fault to a stub in .fixup, which sets the error and jumps back.
 */
static always_inline int read_u64_guarded(unsigned long p, unsigned long *val)
{
    int rc;
    unsigned long v;

    asm volatile ( "1:  mov (%[p]), %[v]\n\t"
                   "    xor %k[rc], %k[rc]\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[efault], %k[rc]\n\t"
                   "    xor %k[v], %k[v]\n\t"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "=&r" (rc), [v] "=&r" (v)
                   : [p] "r" (p), [efault] "i" (-EFAULT)
                   : "memory" );
    *val = v;

    return rc;
}

#endif /* PAYLOAD_FUNCS_H */

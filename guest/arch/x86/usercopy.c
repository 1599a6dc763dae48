/*
 * Accessors that survive faults: the possibly-faulting instruction has an
 * .ex_table entry whose continuation, in .fixup, sets -EFAULT and jumps back.
 */
#include <xen/types.h>
#include <xen/errno.h>
#include <asm/asm_defns.h>
#include <asm/uaccess.h>

int copy_from_unsafe(void *dst, const void *src, unsigned long n)
{
    int rc = 0;

    /* A fault in rep movsb reports the rep movsb itself: that is the entry. */
    asm volatile ( "1:  rep movsb\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[efault], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc), "+D" (dst), "+S" (src), "+c" (n)
                   : [efault] "i" (-EFAULT)
                   : "memory" );

    return rc;
}

/* One 8-byte load; a #PF or a #GP (non-canonical pointer) gives -EFAULT and *out = 0. */
int read_u64_unsafe(const void *p, unsigned long *out)
{
    unsigned long val;
    int rc = 0;

    asm volatile ( "1:  mov (%[p]), %[val]\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  xor %k[val], %k[val]\n"
                   "    mov %[efault], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc), [val] "=&r" (val)
                   : [p] "r" (p), [efault] "i" (-EFAULT)
                   : "memory" );

    *out = val;
    return rc;
}

int write_u64_unsafe(void *p, unsigned long v)
{
    int rc = 0;

    asm volatile ( "1:  mov %[v], (%[p])\n"
                   "2:\n"
                   "    .pushsection .fixup, \"ax\", @progbits\n"
                   "3:  mov %[efault], %[rc]\n"
                   "    jmp 2b\n"
                   "    .popsection\n"
                   _ASM_EXTABLE(1b, 3b)
                   : [rc] "+r" (rc)
                   : [p] "r" (p), [v] "r" (v), [efault] "i" (-EFAULT)
                   : "memory" );

    return rc;
}

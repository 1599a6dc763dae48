#ifndef ASM_X86_UACCESS_H
#define ASM_X86_UACCESS_H

/*
 * Accessors for memory that may not be mapped (or not even canonical): a
 * fault is fixed up through .ex_table/.fixup and reported as -EFAULT.
 */
int copy_from_unsafe(void *dst, const void *src, unsigned long n);
int read_u64_unsafe(const void *p, unsigned long *out);
int write_u64_unsafe(void *p, unsigned long v);

#endif /* ASM_X86_UACCESS_H */

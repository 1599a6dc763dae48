#ifndef ASM_X86_ASM_DEFNS_H
#define ASM_X86_ASM_DEFNS_H

/*
 * Exception-table entries: two self-relative s32 words, the faulting
 * instruction and where to continue.  In a multi-operand .long, '.' is the
 * address of each operand in turn, so both fields are relative to themselves.
 */
#ifdef __ASSEMBLY__
#define _ASM_EXTABLE(from, to)                          \
    .pushsection .ex_table, "a", @progbits;             \
    .balign 4;                                          \
    .long (from) - ., (to) - .;                         \
    .popsection

/* The pre-exception table is only consulted on the return-to-guest path. */
#define _ASM_PRE_EXTABLE(from, to)                      \
    .pushsection .ex_table.pre, "a", @progbits;         \
    .balign 4;                                          \
    .long (from) - ., (to) - .;                         \
    .popsection

#define ENTRY(name)                                     \
    .section .text.name, "ax", @progbits;               \
    .globl name;                                        \
    .type name, @function;                              \
    .p2align 4;                                         \
name:

#define END(name) .size name, . - name

/* Every return goes through the return thunk, as compiled code does. */
#define RET jmp __x86_return_thunk

#else /* !__ASSEMBLY__ */

#define _ASM_EXTABLE(from, to)                          \
    "    .pushsection .ex_table, \"a\", @progbits\n"    \
    "    .balign 4\n"                                   \
    "    .long (" #from ") - ., (" #to ") - .\n"        \
    "    .popsection\n"

#define _ASM_PRE_EXTABLE(from, to)                      \
    "    .pushsection .ex_table.pre, \"a\", @progbits\n"\
    "    .balign 4\n"                                   \
    "    .long (" #from ") - ., (" #to ") - .\n"        \
    "    .popsection\n"

#endif /* __ASSEMBLY__ */

#endif /* ASM_X86_ASM_DEFNS_H */

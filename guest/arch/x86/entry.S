/*
 * The ELF entry point and the pre-exception-table fixture.  The image is not
 * booted (the emulator calls functions directly), so start only halts.
 */
#include <asm/asm_defns.h>

        .file __FILE__

        .section .text.header, "ax", @progbits
        .globl start
        .type start, @function
start:
        cli
1:      hlt
        jmp 1b
END(start)

/*
 * unsigned long pre_extable_fixture(const unsigned long *p): returns *p.
 * Its load has an entry in .ex_table.pre only (like Xen's iret to guest), so
 * the ordinary fault path must NOT fix it up: do not call it with a bad p.
 */
ENTRY(pre_extable_fixture)
.Lpre_load:
        mov (%rdi), %rax
        RET
END(pre_extable_fixture)

        .pushsection .fixup, "ax", @progbits
.Lpre_fixup:
        xor %eax, %eax
        RET
        .popsection

        _ASM_PRE_EXTABLE(.Lpre_load, .Lpre_fixup)

        .section .note.GNU-stack, "", @progbits

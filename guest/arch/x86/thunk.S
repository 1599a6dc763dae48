/*
 * Thunks that -mfunction-return=thunk-extern and -mindirect-branch=thunk-extern
 * make compiled code call.  Xen picks retpoline/lfence/jmp variants at boot via
 * alternatives; this image is not booted, so it has the plain forms.  The int3
 * after each branch stops straight-line speculation.
 */
#include <asm/asm_defns.h>

        .file __FILE__

ENTRY(__x86_return_thunk)
        ret
        int3
END(__x86_return_thunk)

/* __x86_indirect_thunk_<reg>: jump to the target held in <reg>. */
.macro IND_THUNK reg:req
ENTRY(__x86_indirect_thunk_\reg)
        jmp *%\reg
        int3
END(__x86_indirect_thunk_\reg)
.endm

.irp reg, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
        IND_THUNK \reg
.endr

        .section .note.GNU-stack, "", @progbits

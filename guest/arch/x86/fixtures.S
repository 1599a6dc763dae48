/*
 * Hand-written fixtures whose exact bytes matter to the loader's checks and
 * lint rules; compiled C could not guarantee them.
 */
#include <asm/asm_defns.h>

        .file __FILE__

/* int short_fn(int x): x + 1 in 4 bytes, too short for a 5-byte jmp. */
ENTRY(short_fn)
        lea 1(%rdi), %eax               /* 8d 47 01 */
        ret                             /* c3 */
END(short_fn)

/*
 * int mid_target(void): returns 3.  Its first 5 bytes are two instructions
 * (2 + 3 bytes) and mid_jumper branches to the second one, so a 5-byte
 * trampoline over mid_target would break mid_jumper.
 */
ENTRY(mid_target)
        xor %eax, %eax                  /* 31 c0    */
.Lmid_target_add:
        add $3, %eax                    /* 83 c0 03 */
        RET
END(mid_target)

/* int mid_jumper(int x): x + 3, by jumping to mid_target+2. */
ENTRY(mid_jumper)
        mov %edi, %eax
        jmp mid_target + 2
END(mid_jumper)

        .if .Lmid_target_add - mid_target != 2
        .error "mid_target+2 must be an instruction boundary"
        .endif

/*
 * long fault_regs_probe(const void *bad): loads from bad with known values in
 * every callee-saved register, and checks them and %rsp after the fixup.
 * Returns 1 if the load faulted, was fixed up and nothing was clobbered,
 * 0 if it did not fault, -1 if a register changed.
 */
ENTRY(fault_regs_probe)
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        movabs $0x1111111111111111, %rbx
        movabs $0x2222222222222222, %rbp
        movabs $0x3333333333333333, %r12
        movabs $0x4444444444444444, %r13
        movabs $0x5555555555555555, %r14
        movabs $0x6666666666666666, %r15
        mov %rsp, %rsi                  /* expected %rsp */
        xor %ecx, %ecx                  /* set to 1 by the fixup */
.Lregs_load:
        mov (%rdi), %rax
.Lregs_cont:
        movabs $0x1111111111111111, %rax
        cmp %rax, %rbx
        jne .Lregs_bad
        movabs $0x2222222222222222, %rax
        cmp %rax, %rbp
        jne .Lregs_bad
        movabs $0x3333333333333333, %rax
        cmp %rax, %r12
        jne .Lregs_bad
        movabs $0x4444444444444444, %rax
        cmp %rax, %r13
        jne .Lregs_bad
        movabs $0x5555555555555555, %rax
        cmp %rax, %r14
        jne .Lregs_bad
        movabs $0x6666666666666666, %rax
        cmp %rax, %r15
        jne .Lregs_bad
        cmp %rsp, %rsi
        jne .Lregs_bad
        mov %rcx, %rax
        jmp .Lregs_out
.Lregs_bad:
        mov $-1, %rax
.Lregs_out:
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        RET
END(fault_regs_probe)

        .pushsection .fixup, "ax", @progbits
.Lregs_fixup:
        mov $1, %ecx
        jmp .Lregs_cont
        .popsection

        _ASM_EXTABLE(.Lregs_load, .Lregs_fixup)

        .section .note.GNU-stack, "", @progbits

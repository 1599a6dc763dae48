#ifndef ASM_X86_REGS_H
#define ASM_X86_REGS_H

#include <xen/types.h>

/*
 * Register frame handed to run_in_exception_handler() callbacks; same layout
 * as Xen's x86-64 struct cpu_user_regs (rip at offset 0x80, rsp at 0x98).
 */
struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx;
    uint64_t r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    uint64_t rip;
    uint16_t cs, _pad0[1];
    uint8_t  saved_upcall_mask;
    uint8_t  _pad1[3];
    uint64_t rflags;
    uint64_t rsp;
    uint16_t ss, _pad2[3];
    uint16_t es, _pad3[3];
    uint16_t ds, _pad4[3];
    uint16_t fs, _pad5[3];
    uint16_t gs, _pad6[3];
};

#endif /* ASM_X86_REGS_H */

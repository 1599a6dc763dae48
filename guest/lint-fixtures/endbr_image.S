/*
 * A minimal image for the ENDBR64 case of XLP003: cf_check-style functions
 * start with ENDBR64, and the trampoline goes after it, so they need 9 bytes.
 */
        .file "arch/x86/endbr_image.S"
        .text

/* int endbr_short(int x): 8 bytes, one short of ENDBR64 + a 5-byte jump. */
        .globl endbr_short
        .type endbr_short, @function
endbr_short:
        endbr64
        lea 1(%rdi), %eax               /* 8d 47 01 */
        ret
        .size endbr_short, . - endbr_short

        .balign 16, 0xcc
/* int endbr_long(int x): 19 bytes, room for ENDBR64 + the jump. */
        .globl endbr_long
        .type endbr_long, @function
endbr_long:
        endbr64
        lea 2(%rdi), %eax
        nopl 0(%rax,%rax,1)
        nopw 0(%rax,%rax,1)
        ret
        .size endbr_long, . - endbr_long

        .section .note.GNU-stack, "", @progbits

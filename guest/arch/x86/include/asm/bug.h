#ifndef ASM_X86_BUG_H
#define ASM_X86_BUG_H

/*
 * BUG()/WARN()/ASSERT()/run_in_exception_handler() execute ud2; #UD looks the
 * address up in .bug_frames.<type>.  Frame = two u32 words:
 *   word0 = (ud2 - frame)        [signed 24 bits] + line[13:7] << 24
 *   word1 = (file or fn - frame) [signed 24 bits] + line[6:0]  << 24
 * Assert frames add a second pair { 0, msg - frame }.
 */
#define BUGFRAME_run_fn 0
#define BUGFRAME_warn   1
#define BUGFRAME_bug    2
#define BUGFRAME_assert 3

#define BUG_DISP_WIDTH    24
#define BUG_LINE_LO_WIDTH 7
#define BUG_LINE_HI_WIDTH 7

#ifndef __ASSEMBLY__

struct cpu_user_regs;

#define BUG_LINE_LO(l) (((l) & ((1 << BUG_LINE_LO_WIDTH) - 1)) << BUG_DISP_WIDTH)
#define BUG_LINE_HI(l) ((((l) >> BUG_LINE_LO_WIDTH) & ((1 << BUG_LINE_HI_WIDTH) - 1)) \
                        << BUG_DISP_WIDTH)

/* %= makes the labels unique per asm instance, so inlined copies don't clash. */
#define BUG_FRAME(type, line, ptr, has_msg, msg) do {                         \
    _Static_assert((line) < (1 << (BUG_LINE_LO_WIDTH + BUG_LINE_HI_WIDTH)),   \
                   "line number does not fit a bug frame");                   \
    _Static_assert((type) >= 0 && (type) <= BUGFRAME_assert, "bad type");     \
    asm volatile ( ".Lbug%=:\n\t"                                             \
                   "ud2\n\t"                                                  \
                   ".pushsection .bug_frames.%c[bf_type], \"a\", @progbits\n\t" \
                   ".p2align 2\n"                                             \
                   ".Lfrm%=:\n\t"                                             \
                   ".long (.Lbug%= - .Lfrm%=) + %c[bf_hi]\n\t"                \
                   ".long (%c[bf_ptr] - .Lfrm%=) + %c[bf_lo]\n\t"             \
                   ".if " #has_msg "\n\t"                                     \
                   ".long 0, %c[bf_msg] - .Lfrm%=\n\t"                        \
                   ".endif\n\t"                                               \
                   ".popsection"                                              \
                   :                                                          \
                   : [bf_type] "i" (type),                                    \
                     [bf_ptr] "i" (ptr),                                      \
                     [bf_msg] "i" (msg),                                      \
                     [bf_hi] "i" (BUG_LINE_HI(line)),                         \
                     [bf_lo] "i" (BUG_LINE_LO(line)) );                       \
} while ( 0 )

#define WARN() BUG_FRAME(BUGFRAME_warn, __LINE__, __FILE__, 0, NULL)

#define BUG() do {                                                            \
    BUG_FRAME(BUGFRAME_bug, __LINE__, __FILE__, 0, NULL);                     \
    unreachable();                                                            \
} while ( 0 )

#define assert_failed(msg) do {                                               \
    BUG_FRAME(BUGFRAME_assert, __LINE__, __FILE__, 1, msg);                   \
    unreachable();                                                            \
} while ( 0 )

/* fn is a void cf_check fn(struct cpu_user_regs *), run by the #UD handler. */
#define run_in_exception_handler(fn) BUG_FRAME(BUGFRAME_run_fn, 0, fn, 0, NULL)

#endif /* !__ASSEMBLY__ */

#endif /* ASM_X86_BUG_H */

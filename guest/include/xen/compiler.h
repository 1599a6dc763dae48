#ifndef XEN_COMPILER_H
#define XEN_COMPILER_H

#define noinline        __attribute__((__noinline__))
#define always_inline   inline __attribute__((__always_inline__))
/* No IPA at all: keeps a function's name and calling convention exactly as written. */
#define noipa           __attribute__((__noipa__))
#define noreturn        __attribute__((__noreturn__))
#define __cold          __attribute__((__cold__))
#define __used          __attribute__((__used__))
#define __printf(a, b)  __attribute__((__format__(__printf__, a, b)))

/*
 * With -mmanual-endbr only functions carrying this attribute get an ENDBR64:
 * it marks the ones reached by indirect calls (Xen's cf_check).
 */
#define cf_check        __attribute__((__cf_check__))

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define unreachable()   __builtin_unreachable()
#define barrier()       asm volatile ( "" ::: "memory" )

#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

#endif /* XEN_COMPILER_H */

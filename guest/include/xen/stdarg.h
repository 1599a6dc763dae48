#ifndef XEN_STDARG_H
#define XEN_STDARG_H

/* The compiler's <stdarg.h> is out of reach under -nostdinc; its builtins are not. */
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type)   __builtin_va_arg(ap, type)
#define va_end(ap)         __builtin_va_end(ap)
#define va_copy(d, s)      __builtin_va_copy(d, s)

#endif /* XEN_STDARG_H */

#ifndef XEN_LIB_H
#define XEN_LIB_H

#include <xen/types.h>
#include <xen/stdarg.h>
#include <asm/bug.h>

/* ASSERT() is always live in this image (Xen compiles it only with CONFIG_DEBUG). */
#define ASSERT(p) do {                  \
    if ( unlikely(!(p)) )               \
        assert_failed(#p);              \
} while ( 0 )

#define BUG_ON(p) do {                  \
    if ( unlikely(p) )                  \
        BUG();                          \
} while ( 0 )

#define WARN_ON(p) do {                 \
    if ( unlikely(p) )                  \
        WARN();                         \
} while ( 0 )

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
void printk(const char *fmt, ...) __printf(1, 2);
void console_puts(const char *s);

#endif /* XEN_LIB_H */

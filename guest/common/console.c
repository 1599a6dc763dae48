/*
 * printk() and a small vsnprintf().  Output goes byte by byte to I/O port
 * 0xE9 (the Bochs/QEMU debug console), which the emulator captures per line.
 *
 * Conversions: %s %c %d %i %u %x %X %p %%, flags '-' '0', width and
 * precision (digits or '*'), length modifiers l, ll, z.  %p prints 16
 * zero-padded hex digits without "0x", like Xen.
 */
#include <xen/types.h>
#include <xen/stdarg.h>
#include <xen/lib.h>
#include <asm/io.h>

#define CONSOLE_PORT 0xe9
#define CONSOLE_BUFFER_PORT 0xea

#define FL_LEFT    1U
#define FL_ZEROPAD 2U
#define FL_UPPER   4U

/* Every emit advances p; bytes past end are counted but not stored. */
static char *emit(char *p, char *end, char c)
{
    if ( p < end )
        *p = c;
    return p + 1;
}

static char *emit_pad(char *p, char *end, char c, int n)
{
    while ( n-- > 0 )
        p = emit(p, end, c);
    return p;
}

static char *emit_number(char *p, char *end, unsigned long num,
                         unsigned int base, bool neg, int width,
                         unsigned int flags)
{
    const char *digits = (flags & FL_UPPER) ? "0123456789ABCDEF"
                                            : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = digits[num % base];
        num /= base;
    } while ( num );

    width -= n + neg;

    if ( !(flags & (FL_LEFT | FL_ZEROPAD)) )
        p = emit_pad(p, end, ' ', width);
    if ( neg )
        p = emit(p, end, '-');
    if ( !(flags & FL_LEFT) && (flags & FL_ZEROPAD) )
        p = emit_pad(p, end, '0', width);
    while ( n )
        p = emit(p, end, tmp[--n]);
    if ( flags & FL_LEFT )
        p = emit_pad(p, end, ' ', width);

    return p;
}

static char *emit_string(char *p, char *end, const char *s, int width,
                         int prec, unsigned int flags)
{
    int len = 0, i;

    if ( !s )
        s = "(null)";
    while ( s[len] && (prec < 0 || len < prec) )
        len++;

    if ( !(flags & FL_LEFT) )
        p = emit_pad(p, end, ' ', width - len);
    for ( i = 0; i < len; i++ )
        p = emit(p, end, s[i]);
    if ( flags & FL_LEFT )
        p = emit_pad(p, end, ' ', width - len);

    return p;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    char *p = buf, *end = buf + size;

    for ( ; *fmt; fmt++ )
    {
        unsigned int flags = 0, base = 10;
        int width = 0, prec = -1, lng = 0;
        unsigned long num;
        bool neg = false;

        if ( *fmt != '%' )
        {
            p = emit(p, end, *fmt);
            continue;
        }

        /* Flags. */
        for ( ;; )
        {
            ++fmt;
            if ( *fmt == '-' )
                flags |= FL_LEFT;
            else if ( *fmt == '0' )
                flags |= FL_ZEROPAD;
            else
                break;
        }

        /* Field width. */
        if ( *fmt == '*' )
        {
            width = va_arg(args, int);
            if ( width < 0 )
            {
                flags |= FL_LEFT;
                width = -width;
            }
            fmt++;
        }
        else
            while ( is_digit(*fmt) )
                width = width * 10 + (*fmt++ - '0');

        /* Precision (only meaningful for %s). */
        if ( *fmt == '.' )
        {
            fmt++;
            prec = 0;
            if ( *fmt == '*' )
            {
                prec = va_arg(args, int);
                fmt++;
            }
            else
                while ( is_digit(*fmt) )
                    prec = prec * 10 + (*fmt++ - '0');
            if ( prec < 0 )
                prec = -1;
        }

        /* Length: long and long long are both 64 bits here, as is size_t. */
        if ( *fmt == 'l' )
        {
            lng = 1;
            if ( *++fmt == 'l' )
                fmt++;
        }
        else if ( *fmt == 'z' )
        {
            lng = 1;
            fmt++;
        }

        switch ( *fmt )
        {
        case '\0':
            /* A lone '%' at the end: print it and stop. */
            p = emit(p, end, '%');
            fmt--;
            continue;

        case '%':
            p = emit(p, end, '%');
            continue;

        case 'c':
            if ( !(flags & FL_LEFT) )
                p = emit_pad(p, end, ' ', width - 1);
            p = emit(p, end, (char)va_arg(args, int));
            if ( flags & FL_LEFT )
                p = emit_pad(p, end, ' ', width - 1);
            continue;

        case 's':
            p = emit_string(p, end, va_arg(args, const char *), width, prec,
                            flags);
            continue;

        case 'p':
            num = (unsigned long)va_arg(args, const void *);
            p = emit_number(p, end, num, 16, false, 16, FL_ZEROPAD);
            continue;

        case 'd':
        case 'i':
        {
            long v = lng ? va_arg(args, long) : va_arg(args, int);

            neg = v < 0;
            num = neg ? -(unsigned long)v : (unsigned long)v;
            break;
        }

        case 'X':
            flags |= FL_UPPER;
            /* fallthrough */
        case 'x':
            base = 16;
            /* fallthrough */
        case 'u':
            num = lng ? va_arg(args, unsigned long) : va_arg(args, unsigned int);
            break;

        default:
            /* Unknown conversion: print it verbatim. */
            p = emit(p, end, '%');
            p = emit(p, end, *fmt);
            continue;
        }

        p = emit_number(p, end, num, base, neg, width, flags);
    }

    if ( size )
        *(p < end ? p : end - 1) = '\0';

    return p - buf;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    int n;

    va_start(args, fmt);
    n = vsnprintf(buf, size, fmt, args);
    va_end(args);

    return n;
}

/*
 * One `out` for the whole string: the emulator reads it from memory (RDI,
 * length in RSI) instead of taking one exit per byte on port 0xE9.
 */
void console_puts(const char *s)
{
    unsigned long len = 0;

    while ( s[len] )
        len++;
    asm volatile ( "outb %%al, %w0" :: "Nd" (CONSOLE_BUFFER_PORT), "a" (0),
                   "D" (s), "S" (len) : "memory" );
}

/* Messages longer than 255 bytes are truncated. */
void printk(const char *fmt, ...)
{
    char buf[256];
    va_list args;

    va_start(args, fmt);
    vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    console_puts(buf);
}

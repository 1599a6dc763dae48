/*
 * The few string functions the image (and gcc's implicit calls) need.  The
 * copy/fill primitives use rep-string instructions: a C loop here could be
 * turned back into a call to itself by gcc's loop-distribution pass.
 */
#include <xen/types.h>
#include <xen/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;

    asm volatile ( "rep movsb"
                   : "+D" (dst), "+S" (src), "+c" (n) :: "memory" );
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    void *ret = dst;

    if ( dst <= src || (const char *)src + n <= (char *)dst )
        return memcpy(dst, src, n);

    /* Overlapping with dst above src: copy backwards. */
    dst = (char *)dst + n - 1;
    src = (const char *)src + n - 1;
    asm volatile ( "std; rep movsb; cld"
                   : "+D" (dst), "+S" (src), "+c" (n) :: "memory" );
    return ret;
}

void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;

    asm volatile ( "rep stosb"
                   : "+D" (dst), "+c" (n) : "a" (c) : "memory" );
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for ( ; n; n--, x++, y++ )
        if ( *x != *y )
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *e = s;

    while ( *e )
        e++;
    return e - s;
}

int strcmp(const char *a, const char *b)
{
    for ( ; *a && *a == *b; a++, b++ )
        ;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for ( ; n; n--, a++, b++ )
    {
        if ( *a != *b )
            return (unsigned char)*a - (unsigned char)*b;
        if ( !*a )
            break;
    }
    return 0;
}

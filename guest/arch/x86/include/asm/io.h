#ifndef ASM_X86_IO_H
#define ASM_X86_IO_H

#include <xen/types.h>

static inline void outb(uint8_t value, uint16_t port)
{
    asm volatile ( "outb %b0, %w1" :: "a" (value), "Nd" (port) );
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;

    asm volatile ( "inb %w1, %b0" : "=a" (value) : "Nd" (port) );
    return value;
}

#endif /* ASM_X86_IO_H */

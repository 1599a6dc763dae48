/*
 * Force-included into every C and assembly file (-include), as Xen does with
 * its own config.h: build-wide settings that every translation unit needs.
 */
#ifndef XEN_CONFIG_H
#define XEN_CONFIG_H

#define XEN_VIRT_START 0xffff82d040200000UL
#define PAGE_SIZE      4096

#ifndef __ASSEMBLY__
/*
 * We compile with -fpic (like Xen) so that code is RIP-relative, but the image
 * is linked statically: hidden visibility for every declaration, including
 * extern ones, stops gcc from going through a GOT.
 */
#pragma GCC visibility push(hidden)
#include <xen/compiler.h>
#endif

#endif /* XEN_CONFIG_H */

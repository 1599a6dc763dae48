#ifndef XEN_ELF_H
#define XEN_ELF_H

#include <xen/types.h>

#define NT_GNU_BUILD_ID 3

/* An ELF note header; name and desc follow, each padded to 4 bytes. */
typedef struct {
    uint32_t namesz;
    uint32_t descsz;
    uint32_t type;
} Elf_Note;

#define ELFNOTE_ALIGN(x)  (((x) + 3U) & ~3U)
#define ELFNOTE_NAME(n)   ((const char *)(n) + sizeof(*(n)))
#define ELFNOTE_DESC(n)   (ELFNOTE_NAME(n) + ELFNOTE_ALIGN((n)->namesz))

#endif /* XEN_ELF_H */

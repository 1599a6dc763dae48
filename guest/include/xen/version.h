#ifndef XEN_VERSION_H
#define XEN_VERSION_H

unsigned int xen_major_version(void);
unsigned int xen_minor_version(void);
const char *xen_extra_version(void);
const char *xen_changeset(void);
const char *xen_compiler(void);
const char *xen_build_info(void);
const char *xen_deny(void);
int xen_build_id(const void **p, unsigned int *len);
int xen_build_id_check(const void *note, unsigned int size,
                       const void **p, unsigned int *len);
int xen_build_init(void);
void xen_print_banner(void);
void xen_print_build_id(void);

#endif /* XEN_VERSION_H */

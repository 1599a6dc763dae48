/*
 * Version strings and the image's own build-id, with the same entry points as
 * Xen's common/version.c.  No dates or host names: the build is reproducible.
 */
#include <xen/types.h>
#include <xen/errno.h>
#include <xen/elf.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <xen/version.h>

/* Bounds of the .note.gnu.build-id output section (xen.lds). */
extern const char __note_gnu_build_id_start[], __note_gnu_build_id_end[];

/* Tells xlp this is its own image: printk reaches the emulator's console port itself, so no host stub is needed. */
const char xlp_builtin_image[] = "xlp";

static const void *build_id_p;
static unsigned int build_id_len;

unsigned int xen_major_version(void)
{
    return 4;
}

unsigned int xen_minor_version(void)
{
    return 17;
}

/* The image follows Xen 4.17 stable as of 4.17.7: xlp picks the rules by the version an image reports. */
const char *xen_extra_version(void)
{
    return ".7-xlp";
}

const char *xen_changeset(void)
{
    return "";
}

const char *xen_compiler(void)
{
    return "gcc " __VERSION__;
}

const char *xen_build_info(void)
{
    return "debug=y";
}

const char *xen_deny(void)
{
    return "<denied>";
}

/*
 * Validate the first note at @note (@size bytes) as a GNU build-id and return
 * its desc.  Only the first note is looked at, as in Xen.
 */
int xen_build_id_check(const void *note, unsigned int size,
                       const void **p, unsigned int *len)
{
    const Elf_Note *n = note;

    if ( size <= sizeof(*n) )
        return -EINVAL;

    if ( n->type != NT_GNU_BUILD_ID )
        return -ENODATA;

    /* Unsigned wrap-around means a bogus, huge size. */
    if ( n->namesz + n->descsz < n->namesz )
        return -EINVAL;

    if ( n->namesz < 4 ) /* "GNU\0" */
        return -EINVAL;

    if ( n->namesz + n->descsz > size - sizeof(*n) )
        return -EINVAL;

    /* ld's build-id note is named "GNU"; compare over namesz like Xen. */
    if ( strncmp(ELFNOTE_NAME(n), "GNU", n->namesz) != 0 )
        return -ENODATA;

    if ( n->descsz == 0 )
        return -EINVAL;

    if ( len )
        *len = n->descsz;
    if ( p )
        *p = ELFNOTE_DESC(n);

    return 0;
}

/*
 * Xen parses its note once at boot; this image is never booted, so
 * xen_build_id() calls this lazily.  Also callable directly.
 */
int xen_build_init(void)
{
    unsigned int sz = __note_gnu_build_id_end - __note_gnu_build_id_start;
    const void *p;
    unsigned int len;
    int rc;

    if ( sz == 0 )
        return -ENODATA;

    rc = xen_build_id_check(__note_gnu_build_id_start, sz, &p, &len);
    if ( rc )
        return rc;

    build_id_p = p;
    build_id_len = len;

    return 0;
}

int xen_build_id(const void **p, unsigned int *len)
{
    if ( !build_id_len )
        xen_build_init();

    if ( !build_id_len )
        return -ENODATA;

    *p = build_id_p;
    *len = build_id_len;

    return 0;
}

void xen_print_banner(void)
{
    printk("Xen version %u.%u%s (%s) %s\n", xen_major_version(),
           xen_minor_version(), xen_extra_version(), xen_compiler(),
           xen_build_info());
}

void xen_print_build_id(void)
{
    const unsigned char *id;
    const void *p;
    unsigned int len, i;
    char hex[2 * 64 + 1];

    if ( xen_build_id(&p, &len) )
    {
        printk("build-id: none\n");
        return;
    }

    id = p;
    for ( i = 0; i < len && i < 64; i++ )
        snprintf(&hex[2 * i], 3, "%02x", id[i]);
    hex[2 * i] = '\0';

    printk("build-id: %s\n", hex);
}

/*
 * The payload side of Xen 4.17's live-patch ABI (x86-64), for the test
 * payloads in this directory:
 *
 *  - struct livepatch_func, version 2 (104 bytes), one per patched function,
 *    placed in .livepatch.funcs;
 *  - struct livepatch_fstate, Xen's per-function state (4.17.3+), which
 *    action hooks update through struct payload;
 *  - struct payload with the offsets of Xen 4.17 stable, because hooks are
 *    handed a pointer to Xen's own copy of it;
 *  - the hook macros, which put function pointers into .livepatch.hooks.*.
 *
 * Written from the layout description in the project spec (§1.3, §1.4).
 */
#ifndef LIVEPATCH_PAYLOAD_H
#define LIVEPATCH_PAYLOAD_H

#include <xen/types.h>
#include <xen/livepatch.h>   /* revert_payload(), revert_payload_tail() */

#ifndef __section
#define __section(s) __attribute__((__section__(s)))
#endif

#define LIVEPATCH_PAYLOAD_VERSION  2
#define LIVEPATCH_OPAQUE_SIZE      31

/* struct livepatch_fstate.applied */
#define LIVEPATCH_FUNC_NOT_APPLIED 0
#define LIVEPATCH_FUNC_APPLIED     1

/* struct payload.state */
#define LIVEPATCH_STATE_CHECKED    1
#define LIVEPATCH_STATE_APPLIED    2

/* Bytes that must be found at old_addr before applying (byte 0 is a bitfield, LSB first). */
struct livepatch_expectation {
    uint8_t enabled : 1;
    uint8_t len : 5;                        /* 0..31 */
    uint8_t rsv : 2;                        /* must be 0 */
    uint8_t data[LIVEPATCH_OPAQUE_SIZE];
};

struct livepatch_func {
    const char *name;        /*  0: function to patch (used to resolve old_addr == 0) */
    void *new_addr;          /*  8: replacement, or NULL to NOP out new_size bytes */
    void *old_addr;          /* 16: address to patch, or NULL (resolved by name) */
    uint32_t new_size;       /* 24 */
    uint32_t old_size;       /* 28: must not be 0 */
    uint8_t version;         /* 32: LIVEPATCH_PAYLOAD_VERSION */
    uint8_t _pad[39];        /* 33: Xen 4.14-4.17.2 kept opaque/applied/patch_offset here; must be 0 */
    struct livepatch_expectation expect;    /* 72 */
};

/* Xen's per-function state, one per entry of .livepatch.funcs (not in the payload). */
struct livepatch_fstate {
    uint32_t patch_offset;   /* 0: 4 when the jump went after an ENDBR64 */
    uint32_t applied;        /* 4: LIVEPATCH_FUNC_(NOT_)APPLIED */
    uint8_t insn_buffer[LIVEPATCH_OPAQUE_SIZE];     /* 8: saved original bytes */
};

struct livepatch_list_head {
    struct livepatch_list_head *next, *prev;
};

struct livepatch_build_id {
    const void *p;
    unsigned int len;
};

struct payload;
typedef struct payload livepatch_payload_t;

typedef void livepatch_loadcall_t(void);
typedef void livepatch_unloadcall_t(void);
typedef int livepatch_precall_t(livepatch_payload_t *arg);
typedef int livepatch_actioncall_t(livepatch_payload_t *arg);
typedef void livepatch_postcall_t(livepatch_payload_t *arg);

/* Xen's struct payload (common/livepatch.c), 4.17 stable, x86-64. */
struct payload {
    uint32_t state;                         /*   0: LIVEPATCH_STATE_* */
    int32_t rc;                             /*   4: 0, -EAGAIN while pending, or the last error */
    bool reverted;                          /*   8 */
    bool safe_to_reapply;                   /*   9 */
    struct livepatch_list_head list;        /*  16 */
    const void *text_addr;                  /*  32 */
    size_t text_size;                       /*  40 */
    void *rw_addr;                          /*  48 */
    size_t rw_size;                         /*  56 */
    const void *ro_addr;                    /*  64 */
    size_t ro_size;                         /*  72 */
    unsigned int pages;                     /*  80 */
    struct livepatch_list_head applied_list; /* 88 */
    const struct livepatch_func *funcs;     /* 104: the loaded .livepatch.funcs */
    struct livepatch_fstate *fstate;        /* 112: nfuncs entries */
    unsigned int nfuncs;                    /* 120 */
    const void *symtab;                     /* 128 */
    const char *strtab;                     /* 136 */
    uint64_t region[17];                    /* 144: struct virtual_region (136 bytes) */
    unsigned int nsyms;                     /* 280 */
    struct livepatch_build_id id;           /* 288: .note.gnu.build-id */
    struct livepatch_build_id dep;          /* 304: .livepatch.depends */
    struct livepatch_build_id xen_dep;      /* 320: .livepatch.xen_depends */
    livepatch_loadcall_t *const *load_funcs;     /* 336 */
    livepatch_unloadcall_t *const *unload_funcs; /* 344 */
    struct {                                /* 352: pointers to the hook slots */
        struct {
            livepatch_precall_t *const *pre;
            livepatch_actioncall_t *const *action;
            livepatch_postcall_t *const *post;
        } apply, revert;
    } hooks;
    unsigned int n_load_funcs;              /* 400 */
    unsigned int n_unload_funcs;            /* 404 */
    char name[128];                         /* 408: XEN_LIVEPATCH_NAME_SIZE */
    struct livepatch_build_id metadata;     /* 536: .modinfo */
};

#define LP_OFFSET(t, f) __builtin_offsetof(t, f)

_Static_assert(sizeof(struct livepatch_expectation) == 32, "livepatch_expectation");
_Static_assert(LP_OFFSET(struct livepatch_func, name) == 0, "livepatch_func.name");
_Static_assert(LP_OFFSET(struct livepatch_func, new_addr) == 8, "livepatch_func.new_addr");
_Static_assert(LP_OFFSET(struct livepatch_func, old_addr) == 16, "livepatch_func.old_addr");
_Static_assert(LP_OFFSET(struct livepatch_func, new_size) == 24, "livepatch_func.new_size");
_Static_assert(LP_OFFSET(struct livepatch_func, old_size) == 28, "livepatch_func.old_size");
_Static_assert(LP_OFFSET(struct livepatch_func, version) == 32, "livepatch_func.version");
_Static_assert(LP_OFFSET(struct livepatch_func, _pad) == 33, "livepatch_func._pad");
_Static_assert(LP_OFFSET(struct livepatch_func, expect) == 72, "livepatch_func.expect");
_Static_assert(sizeof(struct livepatch_func) == 104, "livepatch_func size");

_Static_assert(LP_OFFSET(struct livepatch_fstate, patch_offset) == 0, "fstate.patch_offset");
_Static_assert(LP_OFFSET(struct livepatch_fstate, applied) == 4, "fstate.applied");
_Static_assert(LP_OFFSET(struct livepatch_fstate, insn_buffer) == 8, "fstate.insn_buffer");
_Static_assert(sizeof(struct livepatch_fstate) == 40, "livepatch_fstate size");

_Static_assert(LP_OFFSET(struct payload, state) == 0, "payload.state");
_Static_assert(LP_OFFSET(struct payload, rc) == 4, "payload.rc");
_Static_assert(LP_OFFSET(struct payload, reverted) == 8, "payload.reverted");
_Static_assert(LP_OFFSET(struct payload, safe_to_reapply) == 9, "payload.safe_to_reapply");
_Static_assert(LP_OFFSET(struct payload, list) == 16, "payload.list");
_Static_assert(LP_OFFSET(struct payload, text_addr) == 32, "payload.text_addr");
_Static_assert(LP_OFFSET(struct payload, text_size) == 40, "payload.text_size");
_Static_assert(LP_OFFSET(struct payload, rw_addr) == 48, "payload.rw_addr");
_Static_assert(LP_OFFSET(struct payload, rw_size) == 56, "payload.rw_size");
_Static_assert(LP_OFFSET(struct payload, ro_addr) == 64, "payload.ro_addr");
_Static_assert(LP_OFFSET(struct payload, ro_size) == 72, "payload.ro_size");
_Static_assert(LP_OFFSET(struct payload, pages) == 80, "payload.pages");
_Static_assert(LP_OFFSET(struct payload, applied_list) == 88, "payload.applied_list");
_Static_assert(LP_OFFSET(struct payload, funcs) == 104, "payload.funcs");
_Static_assert(LP_OFFSET(struct payload, fstate) == 112, "payload.fstate");
_Static_assert(LP_OFFSET(struct payload, nfuncs) == 120, "payload.nfuncs");
_Static_assert(LP_OFFSET(struct payload, symtab) == 128, "payload.symtab");
_Static_assert(LP_OFFSET(struct payload, strtab) == 136, "payload.strtab");
_Static_assert(LP_OFFSET(struct payload, region) == 144, "payload.region");
_Static_assert(LP_OFFSET(struct payload, nsyms) == 280, "payload.nsyms");
_Static_assert(LP_OFFSET(struct payload, id) == 288, "payload.id");
_Static_assert(LP_OFFSET(struct payload, dep) == 304, "payload.dep");
_Static_assert(LP_OFFSET(struct payload, xen_dep) == 320, "payload.xen_dep");
_Static_assert(LP_OFFSET(struct payload, load_funcs) == 336, "payload.load_funcs");
_Static_assert(LP_OFFSET(struct payload, unload_funcs) == 344, "payload.unload_funcs");
_Static_assert(LP_OFFSET(struct payload, hooks) == 352, "payload.hooks");
_Static_assert(LP_OFFSET(struct payload, hooks.revert.post) == 392, "payload.hooks.revert.post");
_Static_assert(LP_OFFSET(struct payload, n_load_funcs) == 400, "payload.n_load_funcs");
_Static_assert(LP_OFFSET(struct payload, n_unload_funcs) == 404, "payload.n_unload_funcs");
_Static_assert(LP_OFFSET(struct payload, name) == 408, "payload.name");
_Static_assert(LP_OFFSET(struct payload, metadata) == 536, "payload.metadata");
_Static_assert(sizeof(struct payload) == 552, "payload size");

/*
 * Hooks.  Each macro emits one 8-byte function pointer (R_X86_64_64) into its
 * section.  Load/unload hooks (void fn(void)) run inside the default apply /
 * revert, in array order; a payload may have several.  gcc emits such
 * variables in reverse order of definition, so the last one defined in a file
 * comes first in the array.
 *
 * The six apply/revert hooks take the payload and must each be defined at
 * most once per payload: Xen requires those sections to be exactly 8 bytes.
 * The enum makes a second use in the same file a compile error.
 */
#define LIVEPATCH_LOAD_HOOK(fn)                                              \
    static livepatch_loadcall_t *const __used                               \
    __section(".livepatch.hooks.load") livepatch_load_data_##fn = (fn)

#define LIVEPATCH_UNLOAD_HOOK(fn)                                            \
    static livepatch_unloadcall_t *const __used                             \
    __section(".livepatch.hooks.unload") livepatch_unload_data_##fn = (fn)

#define LIVEPATCH_SINGLE_HOOK_(kind, type, fn)                               \
    enum { livepatch_##kind##_hook_defined_once = 1 };                       \
    static type *const __used                                               \
    __section(".livepatch.hooks." #kind) livepatch_##kind##_data_##fn = (fn)

/* Vetoing, in the ACTION hypercall: non-zero stops the action and becomes payload->rc. */
#define LIVEPATCH_PREAPPLY_HOOK(fn)   LIVEPATCH_SINGLE_HOOK_(preapply, livepatch_precall_t, fn)
#define LIVEPATCH_PREREVERT_HOOK(fn)  LIVEPATCH_SINGLE_HOOK_(prerevert, livepatch_precall_t, fn)
/* Replace the default apply/revert (and must set fstate[i].applied themselves). */
#define LIVEPATCH_APPLY_HOOK(fn)      LIVEPATCH_SINGLE_HOOK_(apply, livepatch_actioncall_t, fn)
#define LIVEPATCH_REVERT_HOOK(fn)     LIVEPATCH_SINGLE_HOOK_(revert, livepatch_actioncall_t, fn)
/* After the action (even a failed one); can read payload->rc. */
#define LIVEPATCH_POSTAPPLY_HOOK(fn)  LIVEPATCH_SINGLE_HOOK_(postapply, livepatch_postcall_t, fn)
#define LIVEPATCH_POSTREVERT_HOOK(fn) LIVEPATCH_SINGLE_HOOK_(postrevert, livepatch_postcall_t, fn)

/* Interrupt flag save/restore, as Xen's local_irq_save()/local_irq_restore(). */
#define local_irq_save(flags)                                                \
    asm volatile ( "pushf; pop %0; cli" : "=rm" (flags) : : "memory" )
#define local_irq_restore(flags)                                             \
    asm volatile ( "push %0; popf" : : "g" (flags) : "memory", "cc" )

#endif /* LIVEPATCH_PAYLOAD_H */

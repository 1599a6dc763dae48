/*
 * xlp_xen_version_bounds: a security-style fix of Debian's do_xen_version(), laid out as
 * livepatch-build-tools' create-diff-object lays out a payload: the whole changed function in
 * .text.do_xen_version, one .livepatch.funcs entry (old_addr and old_size from the image's symbol
 * table, new_addr by relocation, the name in .livepatch.strings), and the function's own
 * .altinstructions, .ex_table and .fixup entries carried with it (build-id notes are added by the
 * link, see payloads.mk).
 *
 * The fix: sub-ops above XENVER_build_id get -EINVAL instead of falling through to -ENOSYS.  Debian's
 * 4.17.7+13 sources are not at hand, so the rest of the function is the image's own code, copied and
 * relocated by tools/gen-function-copy.ts (where gcc would have put the compare at the head of the switch).
 */
#define XENVER_build_id 10
#define EINVAL 22

	.section .text.do_xen_version,"ax",@progbits
	.globl do_xen_version
	.type do_xen_version, @function
do_xen_version:
	cmpl $XENVER_build_id, %edi	/* int cmd */
	jle .Lbody
	movq $-EINVAL, %rax
	jmp __x86_return_thunk
.Lbody:
#include "do_xen_version.body.S"
.Ldo_xen_version_end:
	.size do_xen_version, . - do_xen_version

	.section .livepatch.strings,"aMS",@progbits,1
.Lname:
	.asciz "do_xen_version"

	/* struct livepatch_func, version 2 (include/livepatch_payload.h) */
	.section .livepatch.funcs,"aw",@progbits
	.balign 8
	.type livepatch_do_xen_version, @object
livepatch_do_xen_version:
	.quad .Lname				/* name */
	.quad do_xen_version			/* new_addr */
	.quad DO_XEN_VERSION_OLD_ADDR		/* old_addr: the image's do_xen_version */
	.long .Ldo_xen_version_end - do_xen_version	/* new_size */
	.long DO_XEN_VERSION_OLD_SIZE		/* old_size */
	.byte 2					/* version */
	.zero 39
	.zero 32				/* expect: none */
	.size livepatch_do_xen_version, . - livepatch_do_xen_version

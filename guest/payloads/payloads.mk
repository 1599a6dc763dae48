# Live-patch test payloads (payloads/README.md), built the way Xen's
# xen/test/livepatch/Makefile builds its tests, for two target images:
#   builtin: ../build/guest/xen-syms (this directory's image)
#   debian:  Debian's xen-syms-4.17-amd64 (skipped if it is not installed)
#   debian-4.20: Debian 13's xen-syms-4.20-amd64, fetched into ../.deps by the set-up (skipped if absent)
# Output: ../build/payloads/<target>/<name>.livepatch; objects, notes and the
# generated payload_config.h under ../build/payloads/<target>/obj/.
#
# Included from guest/Makefile, so it runs in guest/ and uses its CFLAGS.
# `make -C guest payloads` builds them, `payloads-check` verifies them.

# With the default O (../build/guest) the payloads go to ../build/payloads; a
# build with another O= (e.g. a reproducibility check) keeps them in $(O)/payloads.
PL_OUT ?= $(if $(filter ../build/guest,$(O)),../build/payloads,$(O)/payloads)
DEBIAN_XEN_SYMS ?= /usr/lib/debug/boot/xen-syms-4.17-amd64

DEBIAN_420_XEN_SYMS ?= ../.deps/xen-4.20/usr/lib/debug/boot/xen-syms-4.20-amd64

PL_IMAGE_builtin := $(O)/xen-syms
PL_IMAGE_debian := $(DEBIAN_XEN_SYMS)
PL_IMAGE_debian-4.20 := $(DEBIAN_420_XEN_SYMS)
PL_TARGETS := builtin $(if $(wildcard $(DEBIAN_XEN_SYMS)),debian) $(if $(wildcard $(DEBIAN_420_XEN_SYMS)),debian-4.20)

# Payloads for every target, then the builtin-only ones (they refer to
# symbols Debian's Xen does not have).
PL_COMMON := \
  xen_hello_world xen_bye_world xen_replace_world xen_nop xen_no_xen_buildid \
  xen_prepost_hooks xen_prepost_hooks_fail \
  xen_action_hooks xen_action_hooks_nofunc xen_action_hooks_marker \
  xen_action_hooks_noapply xen_action_hooks_norevert \
  xen_expectations xen_expectations_fail xlp_revert_fails \
  xlp_fault_fixup xlp_warn xlp_bug xlp_reloc_overflow xlp_dup_symbol
PL_LIST_builtin := $(PL_COMMON) xlp_static_ref xlp_endbr xlp_order_jmp xlp_order_nop
PL_LIST_debian := $(PL_COMMON) xlp_xen_version_bounds
PL_LIST_debian-4.20 := $(PL_COMMON)

# Objects of each payload, in link order.  Generated ones:
#   note.o             the target's .note.gnu.build-id as .livepatch.depends
#   xen_note.o         the same, as .livepatch.xen_depends
#   hello_world_note.o xen_hello_world.livepatch's build-id as .livepatch.depends
#   modinfo.o          .modinfo = "LIVEPATCH_RULEZ\0"
PL_NOTES := note.o xen_note.o
PL_HELLO := xen_hello_world_func.o

PL_OBJS_xen_hello_world := $(PL_HELLO) xen_hello_world.o $(PL_NOTES) modinfo.o
PL_OBJS_xen_bye_world := xen_bye_world_func.o xen_bye_world.o hello_world_note.o xen_note.o
PL_OBJS_xen_replace_world := xen_replace_world_func.o xen_replace_world.o $(PL_NOTES)
PL_OBJS_xen_nop := xen_nop.o $(PL_NOTES)
PL_OBJS_xen_no_xen_buildid := xen_nop.o note.o
PL_OBJS_xen_prepost_hooks := $(PL_HELLO) xen_prepost_hooks.o $(PL_NOTES)
PL_OBJS_xen_prepost_hooks_fail := $(PL_HELLO) xen_prepost_hooks_fail.o $(PL_NOTES)
PL_OBJS_xen_action_hooks := $(PL_HELLO) xen_action_hooks.o $(PL_NOTES)
PL_OBJS_xen_action_hooks_nofunc := xen_action_hooks_nofunc.o $(PL_NOTES)
PL_OBJS_xen_action_hooks_marker := $(PL_HELLO) xen_action_hooks_marker.o $(PL_NOTES)
PL_OBJS_xen_action_hooks_noapply := $(PL_HELLO) xen_action_hooks_noapply.o $(PL_NOTES)
PL_OBJS_xen_action_hooks_norevert := $(PL_HELLO) xen_action_hooks_norevert.o $(PL_NOTES)
PL_OBJS_xlp_revert_fails := $(PL_HELLO) xlp_revert_fails.o $(PL_NOTES)
PL_OBJS_xen_expectations := $(PL_HELLO) xen_expectations.o $(PL_NOTES)
PL_OBJS_xen_expectations_fail := $(PL_HELLO) xen_expectations_fail.o $(PL_NOTES)
PL_OBJS_xlp_fault_fixup := xlp_fault_fixup_func.o xlp_fault_fixup.o $(PL_NOTES)
PL_OBJS_xlp_warn := xlp_warn_func.o xlp_warn.o $(PL_NOTES)
PL_OBJS_xlp_bug := xlp_bug_func.o xlp_bug.o $(PL_NOTES)
PL_OBJS_xlp_reloc_overflow := xlp_reloc_overflow_func.o xlp_reloc_overflow.o $(PL_NOTES)
PL_OBJS_xlp_dup_symbol := xlp_dup_symbol_func.o xlp_dup_symbol.o $(PL_NOTES)
PL_OBJS_xlp_static_ref := xlp_static_ref_func.o xlp_static_ref.o $(PL_NOTES)
PL_OBJS_xlp_endbr := xlp_endbr_func.o xlp_endbr.o $(PL_NOTES)
PL_OBJS_xlp_order_jmp := xlp_order_jmp_func.o xlp_order_jmp.o $(PL_NOTES)
PL_OBJS_xlp_order_nop := xlp_order_nop.o $(PL_NOTES)
PL_OBJS_xlp_xen_version_bounds := xlp_xen_version_bounds.o $(PL_NOTES)

# An absolute symbol far (> 2 GiB) from any payload address.
PL_LDFLAGS_xlp_reloc_overflow := --defsym=xlp_far_away=0x1000

# Replacement functions: compiled without payload_config.h, their sizes go into it.
PL_FUNC_SRCS := $(notdir $(wildcard payloads/*_func.c))
# Sources per target (the builtin-only ones are not compiled for Debian).
PL_SRCS_builtin := $(notdir $(wildcard payloads/*.c))
PL_SRCS_debian := $(filter-out xlp_static_ref% xlp_endbr% xlp_order_%,$(PL_SRCS_builtin))
PL_SRCS_debian-4.20 := $(PL_SRCS_debian)

PL_CPPFLAGS := $(CPPFLAGS) -Ipayloads/include
PL_CFLAGS := $(CFLAGS) $(RETURN_THUNK)

# objcopy of a raw binary file into an ELF object holding one read-only data
# section; -S drops the _binary_* symbols objcopy names after the input file.
PL_BIN2ELF = $(OBJCOPY) -I binary -O elf64-x86-64 -B i386:x86-64 -S \
  --rename-section .data=$(1),alloc,load,readonly,data,contents

.PHONY: payloads payloads-check payloads-clean
all: payloads
clean: payloads-clean

payloads-check: payloads
	$(Q)sh payloads/check-payloads.sh $(PL_OUT) $(foreach t,$(PL_TARGETS),$(t)=$(PL_IMAGE_$(t)))

payloads-clean:
	rm -rf $(PL_OUT)

# $(1) = target
define PL_TARGET_RULES
PL_B_$(1) := $(PL_OUT)/$(1)/obj
PL_FUNC_OBJS_$(1) := $$(addprefix $(PL_OUT)/$(1)/obj/,$$(patsubst %.c,%.o,$$(filter $$(PL_FUNC_SRCS),$$(PL_SRCS_$(1)))))
PL_CFG_OBJS_$(1) := $$(addprefix $(PL_OUT)/$(1)/obj/,$$(filter-out $$(PL_FUNC_SRCS),$$(PL_SRCS_$(1))))

payloads: $$(addprefix $(PL_OUT)/$(1)/,$$(addsuffix .livepatch,$$(PL_LIST_$(1))))

# gcc emits a .note.gnu.property (IBT) note per object; drop it, as xen.lds does.
$(PL_OUT)/$(1)/obj/%.o: payloads/%.c Makefile payloads/payloads.mk
	$$(quiet) CC $$(patsubst ../%,%,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(PL_CPPFLAGS) -I$$(@D) $$(PL_CFLAGS) -MMD -MP -MF $$(@:.o=.d) -MQ $$@ \
	  -c $$< -o $$@.tmp
	$$(Q)$$(OBJCOPY) --remove-section=.note.gnu.property $$@.tmp $$@
	@rm -f $$@.tmp

$$(PL_CFG_OBJS_$(1):.c=.o): $(PL_OUT)/$(1)/obj/payload_config.h

# payload_config.h is only replaced when its contents change, so that
# rebuilding the image (new build-id, same layout) relinks the payloads
# without recompiling them; the stamp records when it was last checked.
$(PL_OUT)/$(1)/obj/payload_config.h: $(PL_OUT)/$(1)/obj/payload_config.stamp ;

$(PL_OUT)/$(1)/obj/payload_config.stamp: $(PL_IMAGE_$(1)) $$(PL_FUNC_OBJS_$(1)) payloads/gen-config.sh
	$$(quiet) GEN $$(patsubst ../%,%,$$(@:.stamp=.h))
	@mkdir -p $$(@D)
	$$(Q)sh payloads/gen-config.sh $(1) $(PL_IMAGE_$(1)) $$(PL_FUNC_OBJS_$(1)) > $$(@:.stamp=.h).tmp
	$$(Q)if cmp -s $$(@:.stamp=.h).tmp $$(@:.stamp=.h); then rm -f $$(@:.stamp=.h).tmp; \
	  else mv $$(@:.stamp=.h).tmp $$(@:.stamp=.h); fi
	@touch $$@

$(PL_OUT)/$(1)/obj/note.bin: $(PL_IMAGE_$(1))
	@mkdir -p $$(@D)
	$$(Q)$$(OBJCOPY) -O binary --only-section=.note.gnu.build-id $$< $$@

$(PL_OUT)/$(1)/obj/hello_world_note.bin: $(PL_OUT)/$(1)/xen_hello_world.livepatch
	@mkdir -p $$(@D)
	$$(Q)$$(OBJCOPY) -O binary --only-section=.note.gnu.build-id $$< $$@

$(PL_OUT)/$(1)/obj/note.o: $(PL_OUT)/$(1)/obj/note.bin
	$$(quiet) NOTE $$(patsubst ../%,%,$$@)
	$$(Q)$$(call PL_BIN2ELF,.livepatch.depends) $$< $$@

$(PL_OUT)/$(1)/obj/xen_note.o: $(PL_OUT)/$(1)/obj/note.bin
	$$(quiet) NOTE $$(patsubst ../%,%,$$@)
	$$(Q)$$(call PL_BIN2ELF,.livepatch.xen_depends) $$< $$@

$(PL_OUT)/$(1)/obj/hello_world_note.o: $(PL_OUT)/$(1)/obj/hello_world_note.bin
	$$(quiet) NOTE $$(patsubst ../%,%,$$@)
	$$(Q)$$(call PL_BIN2ELF,.livepatch.depends) $$< $$@

$(PL_OUT)/$(1)/obj/modinfo.o: payloads/payloads.mk
	$$(quiet) GEN $$(patsubst ../%,%,$$@)
	@mkdir -p $$(@D)
	$$(Q)printf 'LIVEPATCH_RULEZ\000' > $$(@:.o=.bin)
	$$(Q)$$(call PL_BIN2ELF,.modinfo) $$(@:.o=.bin) $$@

-include $$(wildcard $(PL_OUT)/$(1)/obj/*.d)
endef

# $(1) = target, $(2) = payload
define PL_PAYLOAD_RULE
$(PL_OUT)/$(1)/$(2).livepatch: $(addprefix $(PL_OUT)/$(1)/obj/,$(PL_OBJS_$(2))) payloads/payloads.mk
	$$(quiet) LD $$(patsubst ../%,%,$$@)
	$$(Q)$$(LD) -r --build-id=sha1 -z noexecstack $(PL_LDFLAGS_$(2)) -o $$@ \
	  $(addprefix $(PL_OUT)/$(1)/obj/,$(PL_OBJS_$(2)))
endef

# xlp_xen_version_bounds (debian only): the fix in assembly, around Debian's own do_xen_version copied
# from the image with its relocations, alternatives and exception-table entries (tools/gen-function-copy.ts).
PL_GEN_COPY := node --import tsx ../tools/gen-function-copy.ts

$(PL_OUT)/debian/obj/do_xen_version.body.S: $(DEBIAN_XEN_SYMS) ../tools/gen-function-copy.ts
	$(quiet) GEN $(patsubst ../%,%,$@)
	@mkdir -p $(@D)
	$(Q)$(PL_GEN_COPY) $< do_xen_version .Lbody > $@.tmp
	$(Q)mv $@.tmp $@

$(PL_OUT)/debian/obj/xlp_xen_version_bounds.o: payloads/xlp_xen_version_bounds.S $(PL_OUT)/debian/obj/do_xen_version.body.S
	$(quiet) AS $(patsubst ../%,%,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -I$(@D) $(AFLAGS) -c $< -o $@

$(foreach t,$(PL_TARGETS),$(eval $(call PL_TARGET_RULES,$(t))))
$(foreach t,$(PL_TARGETS),$(foreach p,$(PL_LIST_$(t)),$(eval $(call PL_PAYLOAD_RULE,$(t),$(p)))))

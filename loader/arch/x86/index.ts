export { createX86Arch, x86FactsFromImage, type X86Arch, type X86ImageFacts, type X86Options } from './arch.ts';
export { addNops, ASM_NOP_MAX, type NopFlavour } from './nops.ts';
export { ENDBR64, ENDBR64_LEN, ENDBR64_POISON, isEndbr64, isEndbr64Insn } from './endbr.ts';
export { applyPatch, revertPatch, jumpBytes, patchLength, patchOffset, ARCH_PATCH_INSN_SIZE, INSN_BUFFER_SIZE } from './trampoline.ts';
export { X86_FEATURE_ALWAYS } from './alternatives.ts';

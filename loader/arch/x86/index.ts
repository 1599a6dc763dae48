export { addNops, ASM_NOP_MAX, type NopFlavour } from './nops.ts';
export { ENDBR64, ENDBR64_LEN, ENDBR64_POISON, isEndbr64 } from './endbr.ts';
export { applyPatch, revertPatch, jumpBytes, patchLength, ARCH_PATCH_INSN_SIZE, INSN_BUFFER_SIZE, type PatchSite, type SavedPatch, type TextAccess } from './trampoline.ts';

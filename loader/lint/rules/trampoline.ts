// XLP003: the old function must hold the trampoline; XLP004: old_size and old_addr should describe the image's
// function. Xen 4.17 uses old_size only as a bound (trampoline room, expectation length), so a wrong old_size
// loads and works: a warning. An old_addr inside a function patches the middle of its code: an error.
import { ARCH_PATCH_INSN_SIZE } from '../../arch/x86/trampoline.ts';
import type { LintContext, PatchTarget } from '../context.ts';
import { bytesHex, hex, where } from '../describe.ts';
import { cutText, instructionCut } from '../insn-cut.ts';

export function trampolineRule(ctx: LintContext): void {
  for (const t of ctx.targets) {
    if (t.oldAddr === undefined) continue;
    const r = t.region;
    if (!r) {
      if (!isPayloadCode(ctx, t.oldAddr)) {
        ctx.report('XLP004', {
          symbol: t.label, payload: t.payload,
          message: `old_addr ${hex(t.oldAddr)} is not in the image's code`,
        });
      }
      continue;
    }
    if (!r.isFunction) continue; // an assembler label: no size to check against
    if (t.oldAddr !== r.address) {
      ctx.report('XLP004', {
        symbol: t.label, payload: t.payload,
        message: `old_addr is ${where(ctx.image, t.oldAddr)}, not the start of a function`,
      });
      continue;
    }
    sizeChecks(ctx, t, r.size);
  }
}

function sizeChecks(ctx: LintContext, t: PatchTarget, size: number): void {
  const { func, patchOffset } = t;
  const jump = func.newAddr !== 0n;
  const need = jump ? ARCH_PATCH_INSN_SIZE + patchOffset : func.newSize;
  const after = patchOffset ? ' after ENDBR64' : '';
  const code = bytesHex(ctx.image.read(t.oldAddr!, size) ?? new Uint8Array());
  if (size < need) {
    ctx.report('XLP003', {
      symbol: t.label, payload: t.payload,
      message: jump
        ? `function is ${size} bytes, shorter than the ${need}-byte trampoline${patchOffset ? ` (${ARCH_PATCH_INSN_SIZE}${after})` : ''}`
        : `function is ${size} bytes, fewer than the ${need} bytes to NOP`,
      details: [`code: ${code}`],
    });
  } else if (jump && func.oldSize < need) {
    ctx.report('XLP003', {
      symbol: t.label, payload: t.payload,
      message: `old_size ${func.oldSize} is less than the ${need} bytes the jump needs${after}: Xen refuses it (-EINVAL)`,
    });
  }
  if (func.oldSize !== size) {
    const cut = instructionCut(ctx.image, t.region!, t.oldAddr! + BigInt(func.oldSize));
    ctx.report('XLP004', {
      severity: 'warning', symbol: t.label, payload: t.payload,
      message: `old_size is ${func.oldSize}, the image's function is ${size} bytes` +
        (cut ? `; it ends inside ${cutText(ctx.image, cut)}` : ''),
      details: ['Xen 4.17 uses old_size only to bound the trampoline and the expectation: upload and APPLY succeed'],
      hint: `set old_size to ${size} (${hex(size)})`,
    });
  }
}

function isPayloadCode(ctx: LintContext, address: bigint): boolean {
  return ctx.payloads.some((p) => address >= p.base && address < p.base + BigInt(p.pages * 4096));
}

// XLP012: old-code verification. The bytes to expect come from the image: whole instructions covering what
// the patch overwrites (ENDBR64 included), at most 31 and at most old_size. An enabled expectation that does
// not hold makes APPLY fail.
import { LIVEPATCH_OPAQUE_SIZE as OPAQUE_SIZE } from '../../abi.ts';
import type { LintContext, PatchTarget } from '../context.ts';
import { bytesHex } from '../describe.ts';
import type { LintImage } from '../image-model.ts';
import { decode } from '../x86/decode.ts';

export function expectationsRule(ctx: LintContext): void {
  for (const t of ctx.targets) {
    if (t.oldAddr === undefined || !t.region) continue;
    const { func } = t;
    const len = expectationLength(ctx.image, t);
    const bytes = ctx.image.read(t.oldAddr, len);
    if (!bytes || len === 0) continue;
    ctx.expectations.push({ payload: t.payload.path, function: t.label, address: t.oldAddr, len, bytes });
    const e = func.expect;
    if (!e.enabled) {
      ctx.report('XLP012', {
        severity: 'note', symbol: t.label, payload: t.payload,
        message: `no expectation; from the image: .len = ${len}, .data = { ${bytesHex(bytes)} }`,
      });
      continue;
    }
    const problems: string[] = [];
    if (e.rsv !== 0) problems.push(`rsv is ${e.rsv}, not 0 (-EINVAL)`);
    if (e.len > func.oldSize) problems.push(`len ${e.len} exceeds old_size ${func.oldSize} (-ERANGE)`);
    const have = ctx.image.read(t.oldAddr, e.len);
    const want = e.data.subarray(0, e.len);
    if (have && want.some((b, i) => b !== have[i])) {
      problems.push(`the image's first ${e.len} bytes differ (-EINVAL)`);
    }
    if (problems.length === 0) continue;
    ctx.report('XLP012', {
      severity: 'error', symbol: t.label, payload: t.payload,
      message: `expectation fails against this image: ${problems.join('; ')}`,
      details: [`payload expects: ${bytesHex(want)}`, `image has:       ${bytesHex(have ?? new Uint8Array())}`,
        `suggested:       .len = ${len}, .data = { ${bytesHex(bytes)} }`],
    });
  }
}

/** Whole instructions from old_addr covering patch_offset + the patched bytes, capped at 31 and old_size. */
function expectationLength(image: LintImage, t: PatchTarget): number {
  const cap = Math.min(OPAQUE_SIZE, t.func.oldSize || OPAQUE_SIZE, t.region!.size - Number(t.oldAddr! - t.region!.address));
  const need = t.patchOffset + t.patchLength;
  const code = image.read(t.oldAddr!, cap);
  if (!code) return 0;
  let n = 0;
  while (n < need) {
    const insn = decode(code, n, code.length);
    if (!insn) return Math.min(need, cap);
    n += insn.length;
  }
  return Math.min(n, cap);
}

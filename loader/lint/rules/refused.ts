// XLP000: Xen's structural upload checks: those the upload pipeline's stages ran into, and the per-record
// checks of prepare_payload on .livepatch.funcs (lint reads every record, so it repeats them here).
import {
  LIVEPATCH_FUNC, LIVEPATCH_OPAQUE_SIZE as OPAQUE_SIZE, LIVEPATCH_PAYLOAD_VERSION,
} from '../../abi.ts';
import type { LintContext } from '../context.ts';

export function refusedRule(ctx: LintContext): void {
  for (const p of ctx.payloads) {
    if (p.refused) {
      ctx.report('XLP000', { symbol: '-', message: `Xen refuses the upload: ${p.refused.message}`, payload: p });
      continue;
    }
    if (p.funcsSize !== undefined && p.funcsSize % BigInt(LIVEPATCH_FUNC.size) !== 0n) {
      ctx.report('XLP000', {
        symbol: '-', payload: p,
        message: `.livepatch.funcs is ${p.funcsSize} bytes, not a multiple of ${LIVEPATCH_FUNC.size}: Xen refuses the upload ` +
          '(-EINVAL)',
        hint: 'put all records of a file in one array: separately defined records are aligned apart',
      });
    }
    for (const f of p.funcs) {
      const symbol = f.name ?? `funcs[${f.index}]`;
      const refuse = (why: string, errno: string): void =>
        ctx.report('XLP000', { symbol, payload: p, message: `${why}: Xen refuses the upload (${errno})` });
      if (f.version !== LIVEPATCH_PAYLOAD_VERSION) refuse(`version is ${f.version}, not ${LIVEPATCH_PAYLOAD_VERSION}`, '-EOPNOTSUPP');
      if (f.oldSize === 0) refuse('old_size is 0', '-EINVAL');
      if (f.newAddr === 0n && f.newSize > OPAQUE_SIZE) refuse(`NOP patch of ${f.newSize} bytes (at most ${OPAQUE_SIZE})`, '-EOPNOTSUPP');
      if (f.newAddr === 0n && f.oldSize < f.newSize) refuse(`NOP patch of ${f.newSize} bytes > old_size ${f.oldSize}`, '-EINVAL');
    }
  }
}

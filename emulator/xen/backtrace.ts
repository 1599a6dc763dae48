// Xen without frame pointers prints every stack word that points into text. We keep the words preceded by a
// call instruction (return addresses); when a direct call's target is not the function of the frame below,
// the word is stale or the link went through a tail call, and is marked unreliable (`? sym`).
import type { BacktraceFrame } from '../cpu/errors.ts';
import type { RegionList } from './regions.ts';

export interface StackView {
  regions: RegionList;
  symbolize(address: bigint): string;
  peek(address: bigint, length: number): Buffer | undefined;
  /** One past the highest stack address. */
  stackEnd: bigint;
}

const functionOf = (symbol: string): string => symbol.replace(/\+0x[0-9a-f]+$/, '');

/** Frames from `rip` up the stack at `rsp`, stopping at `sentinel` (the host's return address). */
export function backtrace(view: StackView, rip: bigint, rsp: bigint, sentinel: bigint, max = 16): BacktraceFrame[] {
  const frames: BacktraceFrame[] = [{ address: rip, symbol: view.symbolize(rip) }];
  let callee = rip;
  for (let sp = rsp & ~7n; sp < view.stackEnd && frames.length < max; sp += 8n) {
    const v = view.peek(sp, 8)?.readBigUInt64LE(0);
    if (v === undefined || v === sentinel) break;
    if (!view.regions.find(v)) continue;
    const target = callTarget(view, v);
    if (target === undefined) continue;
    const reliable = target === 'indirect' || functionOf(view.symbolize(target)) === functionOf(view.symbolize(callee));
    frames.push({ address: v, symbol: `${reliable ? '' : '? '}${view.symbolize(v)}` });
    if (reliable) callee = v;
  }
  return frames;
}

/** The call instruction ending at `ret`: its direct target, 'indirect', or undefined if none. */
function callTarget(view: StackView, ret: bigint): bigint | 'indirect' | undefined {
  const b = view.peek(ret - 7n, 7);
  if (!b) return undefined;
  if (b[2] === 0xe8) return ret + BigInt(b.readInt32LE(3));
  const modrmCall = (i: number): boolean => b[i] === 0xff && ((b[i + 1]! >> 3) & 7) === 2;
  return modrmCall(5) || modrmCall(4) || modrmCall(1) || (b[4] === 0x41 && modrmCall(5)) ? 'indirect' : undefined;
}

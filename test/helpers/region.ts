// A hand-made virtual region for machine tests: explicit fault->continuation pairs and symbols.
import type { BugFrameInfo, VirtualRegion } from '../../emulator/xen/regions.ts';

export class TestRegion implements VirtualRegion {
  readonly fixups = new Map<bigint, bigint>();
  readonly bugFrames = new Map<bigint, BugFrameInfo>();
  readonly symbols: [string, bigint, number][] = [];
  constructor(readonly name: string, readonly textStart: bigint, readonly textEnd: bigint) {}
  searchExceptionTable(a: bigint): bigint | undefined {
    return this.fixups.get(a);
  }
  findBugFrame(a: bigint): BugFrameInfo | undefined {
    return this.bugFrames.get(a);
  }
  symbolize(a: bigint): string | undefined {
    const s = this.symbols.find(([, start, size]) => a >= start && a < start + BigInt(size));
    return s ? `${s[0]}+0x${(a - s[1]).toString(16)}` : undefined;
  }
}

// Direct branches (call/jmp/jcc with a relative target) from one code region to another, found by decoding
// every region instruction by instruction. Branches inside a region are not kept: a patched function's own
// body is dead once its entry jumps away, so only other code can reach its overwritten bytes.
import type { CodeRegion } from './image-model.ts';
import { BranchKind, decode } from './x86/decode.ts';

export interface Branch {
  /** Address of the branch instruction. */
  from: bigint;
  /** Length of the branch instruction. */
  length: number;
  /** The region it is in. */
  site: CodeRegion;
  kind: BranchKind;
  target: bigint;
}

export class CallGraph {
  private readonly byTarget = new Map<bigint, Branch[]>();
  /** Functions whose bytes stopped decoding before their end (their branches after that point are missing). */
  readonly undecodable: CodeRegion[] = [];
  instructions = 0;

  static build(regions: readonly CodeRegion[]): CallGraph {
    const g = new CallGraph();
    for (const r of regions) g.scan(r);
    return g;
  }

  /** Branches whose target is exactly `address`. */
  to(address: bigint): Branch[] {
    return this.byTarget.get(address) ?? [];
  }

  /** Branches whose target lies in [start, end). */
  into(start: bigint, end: bigint): Branch[] {
    const out: Branch[] = [];
    for (let a = start; a < end; a++) out.push(...this.to(a));
    return out;
  }

  private scan(r: CodeRegion): void {
    const end = r.offset + r.size;
    let p = r.offset;
    while (p < end) {
      const insn = decode(r.data, p, end);
      if (!insn) {
        // Labels run to the next symbol and may end in padding or data; only a function is expected to decode.
        if (r.isFunction) this.undecodable.push(r);
        return;
      }
      this.instructions++;
      const t = insn.target;
      if (insn.branch !== BranchKind.None && !Number.isNaN(t) && (t < r.offset || t >= end)) {
        const target = r.base + BigInt(t);
        const list = this.byTarget.get(target);
        const b: Branch = { from: r.base + BigInt(p), length: insn.length, site: r, kind: insn.branch, target };
        if (list) list.push(b);
        else this.byTarget.set(target, [b]);
      }
      p += insn.length;
    }
  }
}

// Virtual regions (Xen's common/virtual_region.c): each piece of code the CPU may fault in registers its text
// range with its own exception table, bug frames and symbols. Faults are resolved region by region on RIP,
// which is how a payload's own tables are found (the patch-local fallback).

export type BugFrameType = 'run_fn' | 'warn' | 'bug' | 'assert';
export const BUG_FRAME_TYPES: readonly BugFrameType[] = ['run_fn', 'warn', 'bug', 'assert'];

export interface BugFrameInfo {
  type: BugFrameType;
  /** Address of the ud2 the frame describes. */
  address: bigint;
  line: number;
  /** File name (warn/bug/assert), or the function to run (run_fn). */
  file?: string;
  /** Where the frame's file pointer points (Xen prints it only if it is in Xen or a payload). */
  fileAddress?: bigint;
  fn?: bigint;
  /** Assert message. */
  message?: string;
  messageAddress?: bigint;
}

export interface VirtualRegion {
  readonly name: string;
  readonly textStart: bigint;
  readonly textEnd: bigint;
  /** Continuation for a fault at exactly `address`, or undefined (Xen searches only the region's own table). */
  searchExceptionTable(address: bigint): bigint | undefined;
  /** The bug frame whose ud2 is at `address`. */
  findBugFrame(address: bigint): BugFrameInfo | undefined;
  /** `symbol+0xoff` for an address this region knows. */
  symbolize(address: bigint): string | undefined;
  /** is_kernel() / is_patch(): `address` lies in this module's own memory (its strings, data, text). */
  holds?(address: bigint): boolean;
}

export class RegionList {
  private regions: VirtualRegion[] = [];

  register(r: VirtualRegion): void {
    if (this.regions.includes(r)) return;
    this.regions.push(r);
  }

  unregister(r: VirtualRegion): void {
    this.regions = this.regions.filter((x) => x !== r);
  }

  /** First region whose text contains `address` (Xen's find_text_region). */
  find(address: bigint): VirtualRegion | undefined {
    return this.regions.find((r) => address >= r.textStart && address < r.textEnd);
  }

  /** Xen's `is_kernel(p) || is_patch(p)`: some registered module holds `address`. */
  holds(address: bigint): boolean {
    return this.regions.some((r) => r.holds?.(address) ?? false);
  }

  list(): readonly VirtualRegion[] {
    return this.regions;
  }

  /** Replace the whole list (snapshot restore). */
  reset(regions: readonly VirtualRegion[]): void {
    this.regions = [...regions];
  }

  symbolize(address: bigint): string {
    for (const r of this.regions) {
      const s = r.symbolize(address);
      if (s !== undefined) return s;
    }
    return `0x${address.toString(16)}`;
  }
}

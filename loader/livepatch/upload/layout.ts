// Step (c), move_payload + calc_section (spec §2.4): class and offset of every SHF_ALLOC section, one
// reservation, the sections copied (NOBITS left zero), and safe_to_reapply.
import { SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { PAGE_SIZE as PAGE } from '../../abi.ts';
import { MAX_LAYOUT_BYTES, SEC } from './constants.ts';
import { AddressSpace } from './memory.ts';
import { describe, fileData, isAlloc, type ElfModel } from './model.ts';
import type { Region, UploadContext } from './types.ts';

type RegionName = 'text' | 'rw' | 'ro';

export interface Layout {
  base: bigint;
  pages: number;
  memory: AddressSpace;
  text: Region;
  rw: Region;
  ro: Region;
  /** Load address per section index; undefined for sections that are not loaded (Xen's NULL load_addr). */
  address: (bigint | undefined)[];
  safeToReapply: boolean;
}

const PAGE_SIZE = BigInt(PAGE);
const pageAlign = (n: bigint): bigint => (n + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);

export function layOut(elf: ElfModel, ctx: UploadContext): Layout {
  const size: Record<RegionName, bigint> = { text: 0n, rw: 0n, ro: 0n };
  const placed: { index: number; region: RegionName; offset: bigint }[] = [];
  for (let i = 1; i < elf.shnum; i++) {
    const s = elf.sections[i]!;
    if (!isAlloc(s)) continue;
    const x = (s.flags & SHF_EXECINSTR) !== 0n;
    const w = (s.flags & SHF_WRITE) !== 0n;
    if (x && w) fail(Errno.EOPNOTSUPP, `${describe(s)}: writable and executable sections are not supported`);
    const region: RegionName = x ? 'text' : w ? 'rw' : 'ro';
    // Xen's ROUNDUP(x, a) = (x + a - 1) & ~(a - 1); with sh_addralign 0 that is 0: the section goes to offset 0
    // of its region and the running size restarts from its end (harmless for the first one of its region).
    const offset = (size[region] + s.addralign - 1n) & ~(s.addralign - 1n);
    size[region] = offset + s.size;
    placed.push({ index: i, region, offset });
  }
  refuseOverlaps(elf, placed, size);

  const total = pageAlign(size.text) + pageAlign(size.rw) + size.ro;
  if (total > MAX_LAYOUT_BYTES) {
    fail(Errno.ENOMEM, `payload needs ${hex(total)} bytes of memory, more than Xen's 1 GiB image window`);
  }
  const pages = Math.max(1, Number(pageAlign(total) / PAGE_SIZE));
  const base = ctx.reserve(pages);
  const start: Record<RegionName, bigint> = {
    text: base, rw: base + pageAlign(size.text), ro: base + pageAlign(size.text) + pageAlign(size.rw),
  };
  const memory = new AddressSpace(Buffer.alloc(pages * Number(PAGE_SIZE)), base, ctx.peek);

  const address: (bigint | undefined)[] = new Array(elf.shnum).fill(undefined);
  let rwCount = 0;
  let lastRw = 0;
  for (const p of placed) {
    const s = elf.sections[p.index]!;
    const at = start[p.region] + p.offset;
    address[p.index] = at;
    if (s.type !== SHT_NOBITS) memory.write(at, fileData(elf.bytes, s));
    // Empty rw sections get an address but do not count against re-applying.
    if (p.region === 'rw' && s.size !== 0n) {
      rwCount++;
      lastRw = p.index;
    }
  }
  return {
    base, pages, memory, address,
    text: { address: start.text, size: Number(size.text) },
    rw: { address: start.rw, size: Number(size.rw) },
    ro: { address: start.ro, size: Number(size.ro) },
    safeToReapply: rwCount === 0 || (rwCount === 1 && elf.sections[lastRw]!.name === SEC.funcs),
  };
}

/**
 * Where sh_addralign 0 made Xen place a section over an earlier one, or shrank its region below a section
 * that still has to be copied, Xen would corrupt the payload or write past its region: refuse there only.
 */
function refuseOverlaps(
  elf: ElfModel, placed: { index: number; region: RegionName; offset: bigint }[], size: Record<RegionName, bigint>,
): void {
  // ROUNDUP by a power of two never goes backwards: only sh_addralign 0 can make sections collide.
  if (!placed.some((p) => elf.sections[p.index]!.addralign === 0n)) return;
  const filled = placed.filter((p) => elf.sections[p.index]!.size !== 0n);
  for (const [k, p] of filled.entries()) {
    const s = elf.sections[p.index]!;
    const end = p.offset + s.size;
    if (end > pageAlign(size[p.region])) {
      fail(Errno.EINVAL, `${describe(s)} ends at ${p.region} offset ${hex(end)}, past the region's ` +
        `${hex(size[p.region])} bytes (an sh_addralign 0 section reset the running size; Xen would write past it)`);
    }
    for (const q of filled.slice(0, k)) {
      const t = elf.sections[q.index]!;
      if (q.region === p.region && p.offset < q.offset + t.size && q.offset < end) {
        fail(Errno.EINVAL, `${describe(s)} at ${p.region} offset ${hex(p.offset)} overlaps ${describe(t)} ` +
          `(sh_addralign 0: Xen's ROUNDUP gives offset 0; it would overwrite the earlier section)`);
      }
    }
  }
}

// Step (c), move_payload + calc_section (spec §2.4): class and offset of every SHF_ALLOC section, one
// reservation, the sections copied (NOBITS left zero), and safe_to_reapply.
import { SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { MAX_LAYOUT_BYTES, PAGE_SIZE, SEC } from './constants.ts';
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
    // ROUNDUP(x, 0) is 0 in Xen: the section would overlap the start of its region and reset the running size.
    if (s.addralign === 0n) fail(Errno.EINVAL, `${describe(s)}: SHF_ALLOC section with sh_addralign 0`);
    const region: RegionName = x ? 'text' : w ? 'rw' : 'ro';
    const offset = (size[region] + s.addralign - 1n) & ~(s.addralign - 1n);
    size[region] = offset + s.size;
    placed.push({ index: i, region, offset });
  }

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

// .debug_aranges (DWARF 5 §6.1.2): which compile unit's code covers an address, so that one unit is read
// instead of the whole .debug_info (Xen 4.20's is 13 MB).
import { Cursor, DwarfError } from './cursor.ts';

/** The .debug_info offset of the unit whose address ranges hold `address`, or undefined. */
export function unitCovering(aranges: Uint8Array, address: bigint): number | undefined {
  const c = new Cursor(aranges, 0, '.debug_aranges');
  while (c.pos < aranges.length) {
    const start = c.pos;
    let length = c.u32();
    const wide = length === 0xffffffff;
    if (wide) length = c.u64();
    const end = c.pos + length;
    c.skip(2); // version
    const unit = wide ? c.u64() : c.u32();
    const addressSize = c.u8();
    const segmentSize = c.u8();
    if (addressSize !== 8 || segmentSize !== 0) throw new DwarfError(`.debug_aranges: address size ${addressSize}, segment size ${segmentSize}`, start);
    c.pos = start + Math.ceil((c.pos - start) / 16) * 16; // tuples are aligned to twice the address size
    while (c.pos + 16 <= end) {
      const at = c.u64big();
      const size = c.u64big();
      if (at === 0n && size === 0n) break;
      if (address >= at && address < at + size) return unit;
    }
    c.pos = end;
  }
  return undefined;
}

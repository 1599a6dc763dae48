// elf_get_sym (spec §2.3): every symbol but the null one must name a string inside the linked string table.
import { hex } from '../../elf/errors.ts';
import { decodeString } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import { fileData, type RawSymbol, type Section } from './model.ts';

export function readSymbols(bytes: Uint8Array, symtab: Section, strtab: Section): RawSymbol[] {
  const data = fileData(bytes, symtab);
  const strings = fileData(bytes, strtab);
  const strBase = Number(strtab.offset);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = Number(symtab.entsize);
  const n = Number(symtab.size / symtab.entsize);
  const out: RawSymbol[] = [{ index: 0, name: '', nameAt: strBase, value: 0n, size: 0n, type: 0, bind: 0, shndx: 0 }];
  for (let i = 1; i < n; i++) {
    const o = i * stride;
    const nameOffset = v.getUint32(o, true);
    if (nameOffset >= strings.length) {
      fail(Errno.EINVAL, `symbol ${i}: st_name ${hex(nameOffset)} is not within the string table ` +
        `(size ${hex(strings.length)})`);
    }
    const info = v.getUint8(o + 4);
    out.push({
      index: i,
      // The string table ends with NUL (checked), so every name terminates inside it.
      name: decodeString(strings, nameOffset, strings.indexOf(0, nameOffset)),
      nameAt: strBase + nameOffset,
      value: v.getBigUint64(o + 8, true),
      size: v.getBigUint64(o + 16, true),
      type: info & 0xf,
      bind: info >> 4,
      shndx: v.getUint16(o + 6, true),
    });
  }
  return out;
}

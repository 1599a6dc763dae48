// Every UPLOAD check (spec §2 (a)-(j)) with Xen's errno: each row builds the valid base payload, breaks one
// thing, and expects the first failing check in Xen's order. Rows marked `before layout` must fail without
// touching ctx.reserve; the others reserve exactly once (the caller releases it).
import { describe, expect, it } from 'vitest';
import {
  R_X86_64_32, R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32, SHF_EXECINSTR, SHF_WRITE,
  SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_SYMTAB, STB_GLOBAL,
} from '../../../loader/elf/index.ts';
import { Errno, LivepatchError } from '../../../loader/livepatch/errno.ts';
import { preparePayload } from '../../../loader/livepatch/upload/index.ts';
import { noteBytes, put16, put32, put64 } from '../../elf/writer.ts';
import {
  A, AX, PAYLOAD_BUILD_ID, WA, addAlternatives, addExTable, addUndef, baseSpec, buildPayload, dropReloc, funcRecord,
  nopFunc, oldAddrTo, section, type BuiltPayload, type PayloadSpec,
} from './builder.ts';
import { MAX_FEATURE, type FakeContext } from './context.ts';
import { xenContext } from './fake-xen.ts';

const SH = { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 };

interface Row {
  what: string;
  bytes: () => Uint8Array;
  name?: string | Uint8Array;
  setup?: (ctx: FakeContext) => void;
  errno: number;
  msg: string | RegExp;
  /** Fails before move_payload: reserve must not be called. */
  beforeLayout?: boolean;
}

const base = (): BuiltPayload => buildPayload(baseSpec());
/** Base payload with a spec change. */
const spec = (change: (s: PayloadSpec) => void) => (): Uint8Array => {
  const s = baseSpec();
  change(s);
  return buildPayload(s).bytes;
};
/** Base payload (or `from`) with a byte-level change. */
const bytes = (change: (p: BuiltPayload, b: Uint8Array) => void, from: () => BuiltPayload = base) => (): Uint8Array => {
  const p = from();
  const b = p.bytes.slice();
  change(p, b);
  return b;
};
const sh64 = (p: BuiltPayload, b: Uint8Array, sec: string, field: keyof typeof SH, v: bigint): void => put64(b, p.shdr(sec) + SH[field], v);
const sh32 = (p: BuiltPayload, b: Uint8Array, sec: string, field: keyof typeof SH, v: number): void => put32(b, p.shdr(sec) + SH[field], v);
const dataAt = (p: BuiltPayload, sec: string): number => p.dataOffset[p.index.get(sec)!]!;
const symAt = (p: BuiltPayload, name: string): number => dataAt(p, '.symtab') + 24 * p.symbolIndex(name);
const setFunc = (f: Parameters<typeof funcRecord>[0]) => spec((s) => { section(s, '.livepatch.funcs').data = funcRecord(f); });
const note = (name: string, type: number, desc: Uint8Array): Uint8Array => noteBytes(name, type, desc);
const noteHeader = (namesz: number, descsz: number, type: number, rest: number[] = []): Uint8Array => {
  const b = new Uint8Array(12 + rest.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, namesz, true);
  v.setUint32(4, descsz, true);
  v.setUint32(8, type, true);
  b.set(rest, 12);
  return b;
};
const GNU = [0x47, 0x4e, 0x55, 0];
/** A 256-byte text section `.text.big` to host alternative sites. */
const bigText = (s: PayloadSpec): void => {
  s.sections.push({ name: '.text.big', type: SHT_PROGBITS, flags: AX, data: new Uint8Array(256).fill(0x90), addralign: 16n });
};
const alt = (entry: Partial<Parameters<typeof addAlternatives>[2][0]>, repl = Uint8Array.of(0x90, 0x90, 0x90, 0x90, 0x90)) =>
  spec((s) => addAlternatives(s, repl, [{ orig: 13, repl: 0, cpuid: 0x5d, origLen: 2, replLen: 1, padLen: 0, ...entry }]));

const rows: Row[] = [
  // (a) request checks
  { what: 'name size 0', name: new Uint8Array(0), bytes: () => base().bytes, errno: Errno.EINVAL, msg: 'name size is 0', beforeLayout: true },
  { what: 'name of 128 characters (size 129)', name: 'x'.repeat(128), bytes: () => base().bytes, errno: Errno.EINVAL, msg: 'name size 129 exceeds 128', beforeLayout: true },
  { what: 'name buffer without NUL', name: Uint8Array.of(0x61, 0x62), bytes: () => base().bytes, errno: Errno.EINVAL, msg: 'not NUL-terminated', beforeLayout: true },
  { what: 'name error wins over payload size', name: new Uint8Array(0), bytes: () => new Uint8Array(0), errno: Errno.EINVAL, msg: 'name size is 0', beforeLayout: true },
  { what: 'payload size 0', bytes: () => new Uint8Array(0), errno: Errno.EINVAL, msg: 'payload size is 0', beforeLayout: true },
  { what: 'payload over 2 MiB', bytes: () => new Uint8Array(2 * 1024 * 1024 + 1), errno: Errno.EINVAL, msg: 'exceeds LIVEPATCH_MAX_SIZE', beforeLayout: true },
  { what: 'name already loaded', setup: (c) => c.loadedNames.push('p'), bytes: () => base().bytes, errno: Errno.EEXIST, msg: 'payload "p" is already loaded', beforeLayout: true },
  { what: 'loaded name compared up to its NUL', name: 'p\0junk', setup: (c) => c.loadedNames.push('p'), bytes: () => base().bytes, errno: Errno.EEXIST, msg: 'already loaded', beforeLayout: true },

  // (b) ELF header
  { what: 'shorter than an ELF header', bytes: () => base().bytes.slice(0, 63), errno: Errno.EINVAL, msg: 'smaller than the 64-byte ELF header', beforeLayout: true },
  { what: 'bad magic', bytes: bytes((_, b) => { b[1] = 0; }), errno: Errno.EINVAL, msg: 'bad magic', beforeLayout: true },
  { what: 'e_version 2', bytes: bytes((_, b) => put32(b, 0x14, 2)), errno: Errno.EOPNOTSUPP, msg: 'e_version 2', beforeLayout: true },
  { what: 'EI_VERSION 2', bytes: bytes((_, b) => { b[6] = 2; }), errno: Errno.EOPNOTSUPP, msg: 'EI_VERSION 2', beforeLayout: true },
  { what: 'EI_ABIVERSION 1', bytes: bytes((_, b) => { b[8] = 1; }), errno: Errno.EOPNOTSUPP, msg: 'EI_ABIVERSION 1', beforeLayout: true },
  { what: 'EI_OSABI Linux (3)', bytes: bytes((_, b) => { b[7] = 3; }), errno: Errno.EOPNOTSUPP, msg: 'EI_OSABI 3', beforeLayout: true },
  { what: 'ET_EXEC', bytes: bytes((_, b) => put16(b, 0x10, 2)), errno: Errno.EOPNOTSUPP, msg: 'e_type 2 is not ET_REL', beforeLayout: true },
  { what: 'program headers', bytes: bytes((_, b) => put16(b, 0x38, 1)), errno: Errno.EOPNOTSUPP, msg: 'e_phnum 1', beforeLayout: true },
  { what: 'EM_386', bytes: bytes((_, b) => put16(b, 0x12, 3)), errno: Errno.EOPNOTSUPP, msg: 'machine 3', beforeLayout: true },
  { what: 'ELFCLASS32', bytes: bytes((_, b) => { b[4] = 1; }), errno: Errno.EOPNOTSUPP, msg: 'EI_CLASS 1', beforeLayout: true },
  { what: 'big-endian', bytes: bytes((_, b) => { b[5] = 2; }), errno: Errno.EOPNOTSUPP, msg: 'EI_DATA 2', beforeLayout: true },
  { what: 'ET_EXEC is judged before EM_386', bytes: bytes((_, b) => { put16(b, 0x10, 2); put16(b, 0x12, 3); }), errno: Errno.EOPNOTSUPP, msg: 'e_type 2', beforeLayout: true },
  { what: 'e_shstrndx SHN_UNDEF', bytes: bytes((_, b) => put16(b, 0x3e, 0)), errno: Errno.EINVAL, msg: 'e_shstrndx is SHN_UNDEF', beforeLayout: true },
  { what: 'e_shnum 1024', bytes: bytes((_, b) => put16(b, 0x3c, 1024)), errno: Errno.EOPNOTSUPP, msg: 'e_shnum 1024 >= 1024', beforeLayout: true },
  { what: 'e_shstrndx >= e_shnum', bytes: bytes((p, b) => put16(b, 0x3e, p.index.size)), errno: Errno.EINVAL, msg: /e_shstrndx \d+ >= e_shnum \d+/, beforeLayout: true },
  { what: 'e_shoff beyond the file', bytes: bytes((_, b) => put64(b, 0x28, BigInt(b.length))), errno: Errno.EINVAL, msg: 'e_shoff', beforeLayout: true },
  { what: 'e_shentsize 32', bytes: bytes((_, b) => put16(b, 0x3a, 32)), errno: Errno.EINVAL, msg: 'e_shentsize 32 < 64', beforeLayout: true },
  { what: 'section headers past the end', bytes: bytes((p, b) => put16(b, 0x3c, p.index.size + 1)), errno: Errno.EINVAL, msg: /section header table .* extends beyond/, beforeLayout: true },

  // (b) section headers
  { what: 'sh_offset inside the ELF header', bytes: bytes((p, b) => sh64(p, b, '.livepatch.depends', 'offset', 8n)), errno: Errno.EINVAL, msg: 'sh_offset 0x8 is inside the ELF header', beforeLayout: true },
  { what: 'section data past the end', bytes: bytes((p, b) => sh64(p, b, '.livepatch.depends', 'size', BigInt(b.length))), errno: Errno.EINVAL, msg: /section 5: data .* past the end/, beforeLayout: true },
  { what: 'sh_addralign 3', bytes: bytes((p, b) => sh64(p, b, '.livepatch.depends', 'addralign', 3n)), errno: Errno.EOPNOTSUPP, msg: 'sh_addralign 0x3 is not a power of two', beforeLayout: true },
  { what: 'sh_addr not aligned', bytes: bytes((p, b) => sh64(p, b, '.text.new_fn', 'addr', 8n)), errno: Errno.EINVAL, msg: 'sh_addr 0x8 is not aligned to sh_addralign 0x10', beforeLayout: true },
  { what: 'writable NOBITS over 2 MiB', bytes: spec((s) => s.sections.push({ name: '.bss', type: SHT_NOBITS, flags: WA, size: 2 * 1024 * 1024 + 1, addralign: 8n })), errno: Errno.EINVAL, msg: 'NOBITS size 0x200001 exceeds LIVEPATCH_MAX_SIZE', beforeLayout: true },
  { what: 'two symbol tables', bytes: bytes((p, b) => sh32(p, b, '.livepatch.depends', 'type', SHT_SYMTAB)), errno: Errno.EOPNOTSUPP, msg: 'second symbol table (first is section 5)', beforeLayout: true },
  { what: 'symtab sh_link >= e_shnum', bytes: bytes((p, b) => sh32(p, b, '.symtab', 'link', 99)), errno: Errno.EINVAL, msg: /sh_link 99 \(string table\) >= e_shnum/, beforeLayout: true },
  { what: 'no symbol table', bytes: bytes((p, b) => sh32(p, b, '.symtab', 'type', SHT_PROGBITS)), errno: Errno.EINVAL, msg: 'no symbol table', beforeLayout: true },
  { what: 'symtab sh_entsize 16', bytes: bytes((p, b) => sh64(p, b, '.symtab', 'entsize', 16n)), errno: Errno.EINVAL, msg: 'symbol table header is corrupted', beforeLayout: true },
  { what: 'symtab size not a multiple of sh_entsize', bytes: bytes((p, b) => sh64(p, b, '.symtab', 'entsize', 25n)), errno: Errno.EINVAL, msg: 'symbol table header is corrupted', beforeLayout: true },
  { what: 'empty symtab', bytes: bytes((p, b) => sh64(p, b, '.symtab', 'size', 0n)), errno: Errno.EINVAL, msg: 'symbol table header is corrupted', beforeLayout: true },
  { what: 'symtab sh_link 0 (Xen: NULL dereference)', bytes: bytes((p, b) => sh32(p, b, '.symtab', 'link', 0)), errno: Errno.EINVAL, msg: 'sh_link is 0', beforeLayout: true },
  { what: 'string table of the wrong type', bytes: bytes((p, b) => sh32(p, b, '.symtab', 'link', p.index.get('.livepatch.depends')!)), errno: Errno.EINVAL, msg: /string table section 5 is corrupted: type 1/, beforeLayout: true },
  { what: 'empty string table', bytes: bytes((p, b) => sh64(p, b, '.strtab', 'size', 0n)), errno: Errno.EINVAL, msg: /string table .* is corrupted: empty/, beforeLayout: true },
  { what: 'string table not starting with NUL', bytes: bytes((p, b) => { b[dataAt(p, '.strtab')] = 0x41; }), errno: Errno.EINVAL, msg: /string table .* first and last byte must be NUL/, beforeLayout: true },
  { what: 'string table not ending with NUL', bytes: bytes((p, b) => sh64(p, b, '.strtab', 'size', BigInt(p.bytes.indexOf(0, dataAt(p, '.strtab') + 1) - dataAt(p, '.strtab')))), errno: Errno.EINVAL, msg: /string table .* first and last byte must be NUL/, beforeLayout: true },
  { what: 'e_shstrndx names a non-STRTAB', bytes: bytes((p, b) => put16(b, 0x3e, p.index.get('.symtab')!)), errno: Errno.EINVAL, msg: /section name table section \d+ is corrupted: type 2/, beforeLayout: true },
  { what: 'sh_name outside .shstrtab', bytes: bytes((p, b) => sh32(p, b, '.livepatch.depends', 'name', 0xffff)), errno: Errno.EINVAL, msg: 'section 5: sh_name 0xffff is not within the section name table', beforeLayout: true },
  { what: 'string table whose sh_offset + sh_size wraps 2^64 (Xen would read past the payload)', bytes: bytes((p, b) => sh64(p, b, '.strtab', 'size', (1n << 64n) - BigInt(dataAt(p, '.strtab')) + 1n)), errno: Errno.EINVAL, msg: 'wraps past the end of the payload', beforeLayout: true },
  { what: 'st_name outside .strtab', bytes: bytes((p, b) => put32(b, symAt(p, 'new_fn'), 0xffff)), errno: Errno.EINVAL, msg: 'symbol 4: st_name 0xffff is not within the string table', beforeLayout: true },

  // (c) layout
  { what: 'writable and executable section', bytes: spec((s) => { section(s, '.livepatch.funcs').flags = WA | SHF_EXECINSTR; }), errno: Errno.EOPNOTSUPP, msg: 'section 3 (.livepatch.funcs): writable and executable', beforeLayout: true },
  { what: 'W+X is found before an unknown symbol', setup: (c) => c.xenSymbols.clear(), bytes: spec((s) => { section(s, '.livepatch.funcs').flags = WA | SHF_EXECINSTR; }), errno: Errno.EOPNOTSUPP, msg: 'writable and executable', beforeLayout: true },
  // ROUNDUP(x, 0) = 0 puts the note at ro offset 0, over the 30 bytes of .rodata.str1.1 placed before it.
  { what: 'ALLOC section with sh_addralign 0 over an earlier one (Xen: ROUNDUP(x, 0))', bytes: spec((s) => { section(s, '.note.gnu.build-id').addralign = 0n; }), errno: Errno.EINVAL, msg: 'section 4 (.note.gnu.build-id) at ro offset 0x0 overlaps section 2 (.rodata.str1.1)', beforeLayout: true },
  // An empty sh_addralign 0 section resets ro's running size to 0: the region ends before .rodata.str1.1 does.
  { what: 'ALLOC section with sh_addralign 0 that shrinks its region', bytes: spec((s) => { s.sections.push({ name: '.rodata.empty', type: SHT_PROGBITS, flags: A, data: new Uint8Array(0), addralign: 0n }); section(s, '.rodata.str1.1').data = new Uint8Array(0x1001); }), errno: Errno.EINVAL, msg: /section 2 \(\.rodata\.str1\.1\) ends at ro offset 0x1001, past the region's 0x0 bytes/, beforeLayout: true },
  { what: 'layout beyond 1 GiB', bytes: spec((s) => s.sections.push({ name: '.rodata.huge', type: SHT_PROGBITS, flags: A, data: Uint8Array.of(1), addralign: 1n << 40n })), errno: Errno.ENOMEM, msg: "more than Xen's 1 GiB image window", beforeLayout: true },
  { what: 'reserve fails', setup: (c) => { c.outOfMemory = true; }, bytes: () => base().bytes, errno: Errno.ENOMEM, msg: 'cannot reserve 3 pages' },

  // (d) symbols
  { what: 'unknown undefined symbol', setup: (c) => c.xenSymbols.delete('xen_extra_version'), bytes: () => base().bytes, errno: Errno.ENOENT, msg: 'symbol 5 "xen_extra_version": unknown symbol' },
  { what: 'undefined symbol whose Xen value is 0', setup: (c) => c.xenSymbols.set('xen_extra_version', 0n), bytes: () => base().bytes, errno: Errno.ENOENT, msg: 'unknown symbol' },
  { what: 'SHN_COMMON symbol', bytes: spec((s) => s.symbols.push({ name: 'common_var', bind: STB_GLOBAL, section: 0xfff2, size: 8 })), errno: Errno.EINVAL, msg: '"common_var": unexpected common symbol' },
  { what: 'symbol in SHN_LORESERVE', bytes: spec((s) => s.symbols.push({ name: 'proc', bind: STB_GLOBAL, section: 0xff00 })), errno: Errno.EOPNOTSUPP, msg: '"proc": unsupported section index 0xff00' },
  { what: 'symbol section index >= e_shnum', bytes: spec((s) => s.symbols.push({ name: 'oob', bind: STB_GLOBAL, section: 200 })), errno: Errno.EINVAL, msg: '"oob": section index 200 >= e_shnum' },

  // (e) relocations
  { what: 'RELA sh_info 0 (Xen: NULL dereference)', bytes: bytes((p, b) => sh32(p, b, '.rela.text.new_fn', 'info', 0)), errno: Errno.EINVAL, msg: 'sh_info 0 names no section' },
  { what: 'RELA sh_link is not the symbol table', bytes: bytes((p, b) => sh32(p, b, '.rela.text.new_fn', 'link', 1)), errno: Errno.EINVAL, msg: /\(\.rela\.text\.new_fn\): sh_link 1 is not the symbol table/ },
  { what: 'RELA sh_entsize 16', bytes: bytes((p, b) => sh64(p, b, '.rela.text.new_fn', 'entsize', 16n)), errno: Errno.EINVAL, msg: 'relocation section header is corrupted' },
  { what: 'RELA size not a multiple of sh_entsize', bytes: bytes((p, b) => sh64(p, b, '.rela.text.new_fn', 'entsize', 32n)), errno: Errno.EINVAL, msg: 'relocation section header is corrupted' },
  { what: 'SHT_REL', bytes: bytes((p, b) => sh32(p, b, '.rela.text.new_fn', 'type', SHT_REL)), errno: Errno.EOPNOTSUPP, msg: 'SHT_REL relocations are not supported' },
  { what: 'relocation against STN_UNDEF', bytes: spec((s) => s.relocs.push({ target: '.text.new_fn', offset: 13n, type: R_X86_64_NONE, symbol: 0 })), errno: Errno.EOPNOTSUPP, msg: 'relocation against STN_UNDEF' },
  { what: 'relocation symbol past the table', bytes: spec((s) => s.relocs.push({ target: '.text.new_fn', offset: 13n, type: R_X86_64_NONE, symbol: 999 })), errno: Errno.EINVAL, msg: 'symbol 999 is past the end of the symbol table' },
  {
    what: 'relocation against a symbol in a non-ALLOC section',
    bytes: spec((s) => {
      s.sections.push({ name: '.comment', type: SHT_PROGBITS, data: Uint8Array.of(0x47, 0x43, 0x43, 0) });
      s.symbols.unshift({ name: 'comment_sym', section: '.comment' });
      s.relocs.push({ target: '.text.new_fn', offset: 13n, type: R_X86_64_NONE, symbol: 'comment_sym' });
    }),
    errno: Errno.EINVAL, msg: 'symbol "comment_sym" is in a section that is not loaded',
  },
  { what: 'R_X86_64_64 past the section end', bytes: spec((s) => s.relocs.push({ target: '.livepatch.funcs', offset: 100n, type: R_X86_64_64, symbol: 'new_fn' })), errno: Errno.EINVAL, msg: /entry 3 \(offset 0x64 in section 3 \(\.livepatch\.funcs\)\): offset is past the end of the section \(size 0x68\)/ },
  { what: 'R_X86_64_PC32 past the section end', bytes: spec((s) => s.relocs.push({ target: '.text.new_fn', offset: 13n, type: R_X86_64_PC32, symbol: 'new_fn' })), errno: Errno.EINVAL, msg: /offset 0xd .*: offset is past the end of the section \(size 0x10\)/ },
  { what: 'R_X86_64_PC32 with a huge offset', bytes: spec((s) => s.relocs.push({ target: '.text.new_fn', offset: 0xfffffffffffffffen, type: R_X86_64_PC32, symbol: 'new_fn' })), errno: Errno.EINVAL, msg: 'offset is past the end of the section' },
  {
    what: 'R_X86_64_PLT32 overflow', bytes: spec((s) => {
      addUndef(s, 'far_fn');
      s.relocs.find((r) => r.target === '.text.new_fn' && r.offset === 1n)!.symbol = 'far_fn';
    }),
    errno: Errno.EOVERFLOW, msg: 'R_X86_64_PLT32 to "far_fn"',
  },
  { what: 'R_X86_64_32', bytes: spec((s) => s.relocs.push({ target: '.text.new_fn', offset: 9n, type: R_X86_64_32, symbol: 'new_fn' })), errno: Errno.EOPNOTSUPP, msg: 'unsupported relocation type 10 against "new_fn"' },

  // (f) special sections, (g) patching sections
  { what: 'missing .livepatch.depends', bytes: spec((s) => { section(s, '.livepatch.depends').name = '.livepatch.depend'; }), errno: Errno.EINVAL, msg: '.livepatch.depends is missing' },
  { what: 'missing .livepatch.xen_depends (xen_no_xen_buildid)', bytes: spec((s) => { section(s, '.livepatch.xen_depends').name = '.livepatch.other'; }), errno: Errno.EINVAL, msg: '.livepatch.xen_depends is missing' },
  { what: 'missing .note.gnu.build-id', bytes: spec((s) => { section(s, '.note.gnu.build-id').name = '.note.other'; }), errno: Errno.EINVAL, msg: '.note.gnu.build-id is missing' },
  { what: 'empty .livepatch.xen_depends', bytes: spec((s) => { section(s, '.livepatch.xen_depends').data = new Uint8Array(0); }), errno: Errno.EINVAL, msg: '(.livepatch.xen_depends) is empty' },
  {
    what: 'nothing to patch', bytes: spec((s) => {
      s.sections = s.sections.filter((x) => x.name !== '.livepatch.funcs');
      s.symbols = s.symbols.filter((x) => x.name !== 'livepatch_xen_hello');
      s.relocs = s.relocs.filter((r) => r.target !== '.livepatch.funcs');
    }),
    errno: Errno.EINVAL, msg: 'nothing to patch',
  },
  {
    what: 'empty .livepatch.funcs', bytes: spec((s) => {
      section(s, '.livepatch.funcs').data = new Uint8Array(0);
      s.relocs = s.relocs.filter((r) => r.target !== '.livepatch.funcs');
    }),
    errno: Errno.EINVAL, msg: '(.livepatch.funcs) is empty',
  },
  { what: 'empty hook section', bytes: spec((s) => s.sections.push({ name: '.livepatch.hooks.revert', type: SHT_PROGBITS, flags: A, data: new Uint8Array(0), addralign: 8n })), errno: Errno.EINVAL, msg: '(.livepatch.hooks.revert) is empty' },

  // (h) prepare_payload: funcs
  {
    what: '.livepatch.funcs size not a multiple of 104', bytes: spec((s) => {
      const f = section(s, '.livepatch.funcs');
      f.data = Uint8Array.from([...f.data!, 0]);
    }),
    errno: Errno.EINVAL, msg: 'size 0x69 is not a multiple of 104',
  },
  { what: 'func version 1', bytes: setFunc({ version: 1 }), errno: Errno.EOPNOTSUPP, msg: '.livepatch.funcs[0] (xen_extra_version): version 1, expected 2' },
  { what: 'func old_size 0', bytes: setFunc({ oldSize: 0 }), errno: Errno.EINVAL, msg: 'old_size is 0' },
  { what: 'func old_addr 0 and unknown name', bytes: spec((s) => { dropReloc(s, '.livepatch.funcs', 16n); s.relocs.find((r) => r.target === '.livepatch.funcs' && r.offset === 0n)!.addend = 18n; }), errno: Errno.ENOENT, msg: 'could not resolve old address of "Hello World"' },
  { what: 'func old_addr 0 and name NULL (Xen: NULL dereference)', bytes: spec((s) => { dropReloc(s, '.livepatch.funcs', 16n); dropReloc(s, '.livepatch.funcs', 0n); }), errno: Errno.EINVAL, msg: 'old_addr and name are both 0' },
  { what: 'NOP func new_size 32', bytes: spec((s) => nopFunc(s, { newSize: 32, oldSize: 40 })), errno: Errno.EOPNOTSUPP, msg: 'NOP new_size 32 > 31' },
  { what: 'NOP func new_size > old_size', bytes: spec((s) => nopFunc(s, { newSize: 13, oldSize: 12 })), errno: Errno.EINVAL, msg: 'NOP new_size 13 > old_size 12' },
  { what: 'NOP func new_size < 4 on ENDBR64 (Xen: length underflow at apply)', bytes: spec((s) => { nopFunc(s, { newSize: 3, oldSize: 12 }); oldAddrTo(s, 'common/livepatch.c#livepatch_printall'); }), errno: Errno.EINVAL, msg: 'NOP new_size 3 < 4' },
  { what: 'func old_size 4 < jump', bytes: setFunc({ oldSize: 4 }), errno: Errno.EINVAL, msg: 'old_size 4 < 5 bytes needed for the jump' },
  { what: 'func old_size 8 on ENDBR64', bytes: spec((s) => { section(s, '.livepatch.funcs').data = funcRecord({ oldSize: 8 }); oldAddrTo(s, 'common/livepatch.c#livepatch_printall'); }), errno: Errno.EINVAL, msg: 'old_size 8 < 9 bytes needed for the jump after ENDBR64' },
  { what: 'func old_size 8 on poisoned ENDBR64', bytes: spec((s) => { section(s, '.livepatch.funcs').data = funcRecord({ oldSize: 8 }); oldAddrTo(s, 'poisoned_fn'); }), errno: Errno.EINVAL, msg: 'after ENDBR64' },
  { what: 'func old_addr unmapped (Xen: page fault)', bytes: spec((s) => oldAddrTo(s, 'unmapped_fn')), errno: Errno.EINVAL, msg: 'old_addr 0xffff82d040380000 is not mapped' },
  { what: 'func more than 2 GiB away', bytes: spec((s) => oldAddrTo(s, 'far_fn')), errno: Errno.EOVERFLOW, msg: 'more than 2 GiB' },
  { what: '.livepatch.funcs not SHF_ALLOC (Xen: NULL dereference)', bytes: spec((s) => { section(s, '.livepatch.funcs').flags = SHF_WRITE; }), errno: Errno.EINVAL, msg: '(.livepatch.funcs) is not SHF_ALLOC' },
  { what: 'version is checked before old_size', bytes: setFunc({ version: 3, oldSize: 0 }), errno: Errno.EOPNOTSUPP, msg: 'version 3' },

  // (h) hooks
  { what: 'load hooks size not a multiple of 8', bytes: spec((s) => s.sections.push({ name: '.livepatch.hooks.load', type: SHT_PROGBITS, flags: A, data: new Uint8Array(12), addralign: 8n })), errno: Errno.EINVAL, msg: '(.livepatch.hooks.load): size 0xc is not a multiple of 8' },
  { what: 'single hook of 16 bytes', bytes: spec((s) => s.sections.push({ name: '.livepatch.hooks.preapply', type: SHT_PROGBITS, flags: A, data: new Uint8Array(16), addralign: 8n })), errno: Errno.EINVAL, msg: '(.livepatch.hooks.preapply): size 0x10 is not 8' },
  { what: 'unload hooks not SHF_ALLOC', bytes: spec((s) => s.sections.push({ name: '.livepatch.hooks.unload', type: SHT_PROGBITS, flags: 0n, data: new Uint8Array(8), addralign: 8n })), errno: Errno.EINVAL, msg: 'NULL hook array' },

  // (h) build-id notes
  { what: 'build-id note of 12 bytes', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = noteHeader(4, 0, 3); }), errno: Errno.EINVAL, msg: '(.note.gnu.build-id): bad build-id note: section size 0xc <= 12' },
  { what: 'build-id note type 4', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('GNU', 4, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'type 4 is not NT_GNU_BUILD_ID' },
  { what: 'build-id namesz 3', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('GN', 3, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'namesz 3 < 4' },
  { what: 'build-id namesz + descsz overflow', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = noteHeader(0xfffffff0, 0x20, 3, GNU); }), errno: Errno.EINVAL, msg: 'overflows' },
  { what: 'build-id desc past the section', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = noteHeader(4, 21, 3, [...GNU, ...PAYLOAD_BUILD_ID]); }), errno: Errno.EINVAL, msg: 'namesz 4 + descsz 21 exceed the section' },
  { what: 'build-id owner "XEN"', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('XEN', 3, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'name is not "GNU"' },
  { what: 'build-id owner "GNUX"', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('GNUX', 3, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'name is not "GNU"' },
  { what: 'build-id descsz 0', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('GNU', 3, new Uint8Array(0)); }), errno: Errno.EINVAL, msg: 'descsz is 0' },
  { what: 'duplicate build-id', setup: (c) => c.loadedBuildIds.push(PAYLOAD_BUILD_ID.slice()), bytes: () => base().bytes, errno: Errno.EEXIST, msg: `build-id ${Buffer.from(PAYLOAD_BUILD_ID).toString('hex')} is already loaded` },
  { what: 'bad .livepatch.depends note', bytes: spec((s) => { section(s, '.livepatch.depends').data = note('GNU', 1, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: '(.livepatch.depends): bad build-id note: type 1' },
  { what: 'bad .livepatch.xen_depends note', bytes: spec((s) => { section(s, '.livepatch.xen_depends').data = note('GNU', 1, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: '(.livepatch.xen_depends): bad build-id note: type 1' },
  { what: 'build-id note not SHF_ALLOC', bytes: spec((s) => { section(s, '.livepatch.depends').flags = 0n; }), errno: Errno.EINVAL, msg: '(.livepatch.depends): bad build-id note: section is not SHF_ALLOC' },
  { what: 'hooks are checked before build-ids', bytes: spec((s) => { section(s, '.note.gnu.build-id').data = note('GNU', 4, PAYLOAD_BUILD_ID); s.sections.push({ name: '.livepatch.hooks.apply', type: SHT_PROGBITS, flags: A, data: new Uint8Array(4), addralign: 8n }); }), errno: Errno.EINVAL, msg: '.livepatch.hooks.apply' },

  // (h) optional sections
  { what: '.bug_frames.2 size 12', bytes: spec((s) => s.sections.push({ name: '.bug_frames.2', type: SHT_PROGBITS, flags: A, data: new Uint8Array(12), addralign: 4n })), errno: Errno.EINVAL, msg: '(.bug_frames.2): size 0xc is not a multiple of 8' },
  { what: '.bug_frames.0 not SHF_ALLOC', bytes: spec((s) => s.sections.push({ name: '.bug_frames.0', type: SHT_PROGBITS, data: new Uint8Array(8), addralign: 4n })), errno: Errno.EINVAL, msg: 'scan frames at NULL' },
  { what: '.altinstructions size 13', bytes: spec((s) => s.sections.push({ name: '.altinstructions', type: SHT_PROGBITS, flags: A, data: new Uint8Array(13), addralign: 1n })), errno: Errno.EINVAL, msg: '(.altinstructions): size 0xd is not a multiple of 14' },
  {
    what: '.altinstructions without payload text', bytes: spec((s) => {
      nopFunc(s, { newSize: 5, oldSize: 12 });
      s.sections = s.sections.filter((x) => x.name !== '.text.new_fn');
      s.symbols = s.symbols.filter((x) => x.name !== 'new_fn');
      s.relocs = s.relocs.filter((r) => r.target !== '.text.new_fn');
      s.sections.push({ name: '.altinstructions', type: SHT_PROGBITS, flags: A, data: new Uint8Array(14), addralign: 1n });
    }),
    errno: Errno.EINVAL, msg: 'alternatives provided, but no payload text',
  },
  { what: '.altinstructions without .altinstr_replacement', bytes: spec((s) => s.sections.push({ name: '.altinstructions', type: SHT_PROGBITS, flags: A, data: new Uint8Array(14), addralign: 1n })), errno: Errno.EINVAL, msg: 'provided, but no .altinstr_replacement' },
  { what: '.altinstructions not SHF_ALLOC', bytes: spec((s) => { addAlternatives(s, Uint8Array.of(0x90), [{ orig: 13, repl: 0, cpuid: 0x5d, origLen: 1, replLen: 1, padLen: 0 }]); section(s, '.altinstructions').flags = 0n; }), errno: Errno.EINVAL, msg: '(.altinstructions) is not SHF_ALLOC' },
  { what: 'alternative orig outside text', bytes: alt({ orig: 20, origLen: 3 }), errno: Errno.EINVAL, msg: /entry 0: orig 0x[0-9a-f]+\+0x3 outside payload text/ },
  { what: 'alternative repl outside .altinstr_replacement', bytes: alt({ repl: 3, replLen: 3, padLen: 1 }), errno: Errno.EINVAL, msg: /entry 0: repl 0x[0-9a-f]+\+0x3 outside section \d+ \(\.altinstr_replacement\)/ },
  { what: 'alternative cpuid >= NCAPINTS*32 (Xen: BUG_ON)', bytes: alt({ cpuid: MAX_FEATURE }), errno: Errno.EINVAL, msg: 'feature 0x2a0 outside the featureset (< 0x2a0)' },
  { what: 'alternative repl_len > orig_len + pad_len (Xen: BUG_ON)', bytes: alt({ replLen: 3, origLen: 2 }), errno: Errno.EINVAL, msg: 'repl_len 3 > orig_len + pad_len 2' },
  {
    what: 'alternative longer than 254 bytes (Xen: BUG_ON)', bytes: spec((s) => {
      bigText(s);
      addAlternatives(s, Uint8Array.of(0x90), [{ orig: 0, repl: 0, cpuid: 0x5d, origLen: 200, replLen: 1, padLen: 60 }], '.text.big');
    }),
    errno: Errno.EINVAL, msg: 'orig_len + pad_len 260 > 254',
  },
  { what: 'alternative bounds are checked for all entries first', bytes: spec((s) => addAlternatives(s, Uint8Array.of(0x90), [{ orig: 13, repl: 0, cpuid: MAX_FEATURE, origLen: 1, replLen: 1, padLen: 0 }, { orig: 15, repl: 0, cpuid: 0x5d, origLen: 4, replLen: 1, padLen: 0 }])), errno: Errno.EINVAL, msg: 'entry 1: orig' },
  { what: '.ex_table size 12', bytes: spec((s) => s.sections.push({ name: '.ex_table', type: SHT_PROGBITS, flags: A, data: new Uint8Array(12), addralign: 4n })), errno: Errno.EINVAL, msg: '(.ex_table): size 0xc is not a multiple of 8' },
  { what: '.ex_table not SHF_ALLOC', bytes: spec((s) => { addExTable(s, [[0, 13]]); section(s, '.ex_table').flags = 0n; }), errno: Errno.EINVAL, msg: 'sort a table at NULL' },
  { what: '.modinfo without final NUL', bytes: spec((s) => s.sections.push({ name: '.modinfo', type: SHT_PROGBITS, flags: A, data: new TextEncoder().encode('LIVEPATCH_RULEZ'), addralign: 1n })), errno: Errno.EINVAL, msg: '(.modinfo): metadata does not end with a NUL byte' },
  { what: '.modinfo not SHF_ALLOC', bytes: spec((s) => s.sections.push({ name: '.modinfo', type: SHT_PROGBITS, data: Uint8Array.of(0x41, 0), addralign: 1n })), errno: Errno.EINVAL, msg: '(.modinfo) is not SHF_ALLOC' },
  {
    what: 'empty .modinfo at the start of the allocation (Xen reads the guard page)', bytes: spec((s) => {
      nopFunc(s, { newSize: 5, oldSize: 12 });
      s.sections = s.sections.filter((x) => x.name !== '.text.new_fn');
      s.symbols = s.symbols.filter((x) => x.name !== 'new_fn');
      s.relocs = s.relocs.filter((r) => r.target !== '.text.new_fn');
      section(s, '.livepatch.funcs').flags = A;
      s.sections.unshift({ name: '.modinfo', type: SHT_PROGBITS, flags: A, data: new Uint8Array(0), addralign: 1n });
    }),
    errno: Errno.EINVAL, msg: '(.modinfo) is empty and starts the allocation',
  },
  { what: 'the first .modinfo wins', bytes: spec((s) => s.sections.push({ name: '.modinfo', type: SHT_PROGBITS, flags: A, data: Uint8Array.of(0x41), addralign: 1n }, { name: '.modinfo', type: SHT_PROGBITS, flags: A, data: Uint8Array.of(0x41, 0), addralign: 1n })), errno: Errno.EINVAL, msg: 'does not end with a NUL byte' },

  // (i) Xen build-id
  { what: '.livepatch.xen_depends for another Xen', bytes: spec((s) => { section(s, '.livepatch.xen_depends').data = note('GNU', 3, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'does not match the hypervisor build-id' },
  { what: 'Xen without build-id', setup: (c) => { c.xenBuildId = undefined; }, bytes: () => base().bytes, errno: Errno.ENODATA, msg: 'the running Xen has no build-id' },
  { what: 'alternatives are applied before the Xen build-id check (4.17)', bytes: spec((s) => { section(s, '.livepatch.xen_depends').data = note('GNU', 3, PAYLOAD_BUILD_ID); addAlternatives(s, Uint8Array.of(0x90), [{ orig: 13, repl: 0, cpuid: MAX_FEATURE + 1, origLen: 1, replLen: 1, padLen: 0 }]); }), errno: Errno.EINVAL, msg: 'outside the featureset' },

  // (j) symbol table
  { what: 'new symbol already in Xen', setup: (c) => c.xenSymbols.set('livepatch_xen_hello', 0xffff82d040300000n), bytes: () => base().bytes, errno: Errno.EEXIST, msg: 'duplicate new symbol "livepatch_xen_hello"' },
  { what: 'new symbol already in a loaded payload', setup: (c) => c.payloadSymbols.set('livepatch_xen_hello', 0xffff82d0405b0000n), bytes: () => base().bytes, errno: Errno.EEXIST, msg: 'duplicate new symbol "livepatch_xen_hello"' },
  { what: 'Xen build-id is checked before new symbols', setup: (c) => c.xenSymbols.set('livepatch_xen_hello', 1n), bytes: spec((s) => { section(s, '.livepatch.xen_depends').data = note('GNU', 3, PAYLOAD_BUILD_ID); }), errno: Errno.EINVAL, msg: 'does not match' },
];

describe('preparePayload rejects with Xen 4.17 errno', () => {
  it.each(rows.map((r) => [r.what, r] as const))('%s', (_what, row) => {
    const ctx = xenContext();
    row.setup?.(ctx);
    let thrown: unknown;
    try {
      preparePayload(row.name ?? 'p', row.bytes(), ctx);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, 'expected a LivepatchError').toBeInstanceOf(LivepatchError);
    const err = thrown as LivepatchError;
    expect({ errno: err.errnoName, message: err.message }).toMatchObject({ errno: new LivepatchError(row.errno, '').errnoName });
    if (typeof row.msg === 'string') expect(err.message).toContain(row.msg);
    else expect(err.message).toMatch(row.msg);
    expect(ctx.reserveCalls.length).toBe(row.beforeLayout ? 0 : 1);
  });

  it("4.20's _apply_alternatives() returns -ENOSPC / -ERANGE where 4.17 BUG_ONs (xlp's 4.17 answer: -EINVAL)", () => {
    const bugOn = rows.filter((r) => r.what.includes('(Xen: BUG_ON)'));
    expect(bugOn.map((r) => r.what)).toHaveLength(3);
    const errnoOn = (version: string, row: Row): string => {
      const ctx = xenContext();
      ctx.version = version;
      try {
        preparePayload('p', row.bytes(), ctx);
      } catch (e) {
        if (e instanceof LivepatchError) return e.errnoName;
        throw e;
      }
      return 'success';
    };
    expect(bugOn.map((r) => errnoOn('4.17', r))).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
    // The rows: a feature at NCAPINTS*32, repl_len above orig_len + pad_len, a site above 254 bytes.
    expect(bugOn.map((r) => errnoOn('4.20', r))).toEqual(['ERANGE', 'ENOSPC', 'ENOSPC']);
  });

  it('covers every errno Xen uses at upload', () => {
    expect(new Set(rows.map((r) => r.errno))).toEqual(new Set([
      Errno.EINVAL, Errno.EOPNOTSUPP, Errno.EEXIST, Errno.ENOENT, Errno.ENOMEM, Errno.EOVERFLOW, Errno.ENODATA,
    ]));
  });

  it('never throws anything but LivepatchError on truncations of a valid payload', () => {
    const good = base().bytes;
    for (let len = 1; len < good.length; len += 7) {
      const ctx = xenContext();
      expect(() => preparePayload('p', good.slice(0, len), ctx)).toThrow(LivepatchError);
      expect(ctx.reserveCalls.length).toBeLessThanOrEqual(1);
    }
  });
});


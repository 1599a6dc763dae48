// Emits, as GNU assembler source, the machine code of one function of a linked xen-syms, relocatable: every
// reference that leaves the function (calls, jumps, RIP-relative data) becomes a PC32 relocation against the
// image symbol it names (`path#name` for statics), while branches inside it stay as they are. The function's
// .altinstructions entries, .ex_table entries and the .fixup stubs they lead to are carried along, as
// livepatch-build-tools' create-diff-object carries them with a changed function.
//
//   node --import tsx tools/gen-function-copy.ts IMAGE FUNCTION LABEL > body.S
//
// The output is meant to be #included right after LABEL in the payload's `.text.FUNCTION`: whatever the
// payload puts in front of LABEL (the fix) runs first, then the image's own code. Bug frames in the function
// are not supported (the generator stops with an error).
import { readFileSync } from 'node:fs';
import { type Instruction, disassemble, initDisassembler } from '../emulator/cpu/disasm.ts';
import { ElfFile } from '../loader/elf/index.ts';
import { decodeBugFrames } from '../loader/image/bug-frames.ts';
import { decodeExceptionTable } from '../loader/image/exception-table.ts';
import { SymbolTable } from '../loader/image/symbols.ts';

const ALT_INSTR_SIZE = 14;
const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function fail(msg: string): never {
  process.stderr.write(`gen-function-copy: ${msg}\n`);
  process.exit(1);
}

class Copier {
  private readonly out: string[] = [];
  private fixups = 0;
  constructor(private readonly elf: ElfFile, private readonly syms: SymbolTable, private readonly lo: bigint,
    private readonly hi: bigint, private readonly label: string) {}

  /** A place outside the function as `"symbol"+offset`, or inside it as `LABEL+offset`. */
  private place(t: bigint): string {
    if (t >= this.lo && t < this.hi) return `${this.label}+${hex(t - this.lo)}`;
    const s = this.syms.containing(t, { start: 0n, end: 0xffffffffffffffffn });
    if (!s) fail(`no symbol for ${hex(t)}`);
    return `"${s.name}"+${hex(t - s.address)}`;
  }

  /** One instruction: bytes, with its rel32 to anywhere outside [lo, hi) as a relocation. */
  private insn(i: Instruction, relocateInside: boolean): void {
    const b = Buffer.from(i.bytes);
    let target: bigint | undefined;
    const rip = /(-?0x[0-9a-f]+|-?\d+)?\(%rip\)/.exec(i.operands);
    const direct = /^(call|jmp|j[a-z]+)q?$/.test(i.mnemonic) && /^0x[0-9a-f]+$/.test(i.operands);
    if (rip) {
      const d = rip[1] ?? '0';
      target = i.address + BigInt(i.size) + BigInt(d.startsWith('-') ? -BigInt(d.slice(1)) : BigInt(d));
    } else if (direct) target = BigInt(i.operands);
    const inside = target !== undefined && target >= this.lo && target < this.hi;
    if (target === undefined || (inside && !relocateInside)) {
      this.bytes(b);
      return;
    }
    const disp = Number(BigInt.asIntN(32, target - i.address - BigInt(i.size)));
    let k = -1;
    for (let j = b.length - 4; j >= 1; j--) if (b.readInt32LE(j) === disp) { k = j; break; }
    if (k < 0) fail(`${i.text} at ${hex(i.address)}: no 32-bit displacement to relocate (short branch out of the function?)`);
    this.bytes(b.subarray(0, k));
    this.out.push(`\t.long ${this.place(target)} - ${i.size - k} - .\t/* ${i.text} */`);
    this.bytes(b.subarray(k + 4));
  }

  private bytes(b: Uint8Array): void {
    if (b.length) this.out.push(`\t.byte ${[...b].map((x) => hex(x)).join(',')}`);
  }

  body(insns: readonly Instruction[]): void {
    for (const i of insns) this.insn(i, false);
  }

  /** A .fixup stub: instructions up to its unconditional jmp, branches back into the function relocated. */
  fixupStub(at: bigint): string {
    const name = `.Lxlp_fixup_${this.fixups++}`;
    this.out.push('\t.pushsection .fixup,"ax",@progbits', `${name}:`);
    for (let pc = at, n = 0; n < 16; n++) {
      const [i] = disassemble(this.elf.readAt(pc, 16), pc, 1);
      if (!i) fail(`cannot decode the fixup at ${hex(pc)}`);
      this.insn(i, true);
      pc += BigInt(i.size);
      if (i.mnemonic.startsWith('jmp')) break;
    }
    this.out.push('\t.popsection');
    return name;
  }

  exTable(entries: readonly { addr: bigint; cont: bigint }[]): void {
    for (const e of entries) {
      const cont = e.cont >= this.lo && e.cont < this.hi ? this.place(e.cont) : this.fixupStub(e.cont);
      this.out.push('\t.pushsection .ex_table,"a",@progbits', '\t.balign 4',
        `\t.long ${this.place(e.addr)} - .`, `\t.long ${cont} - .`, '\t.popsection');
    }
  }

  alternatives(bytes: Uint8Array, start: bigint): number {
    const v = Buffer.from(bytes);
    let n = 0;
    for (let off = 0; off + ALT_INSTR_SIZE <= v.length; off += ALT_INSTR_SIZE) {
      const at = start + BigInt(off);
      const orig = at + BigInt(v.readInt32LE(off));
      if (orig < this.lo || orig >= this.hi) continue;
      const repl = at + 4n + BigInt(v.readInt32LE(off + 4));
      const [cpuid, origLen, replLen, padLen] = [v.readUInt16LE(off + 8), v[off + 10]!, v[off + 11]!, v[off + 12]!];
      const r = `.Lxlp_repl_${n++}`;
      this.out.push('\t.pushsection .altinstr_replacement,"ax",@progbits', `${r}:`);
      if (replLen) this.bytes(this.elf.readAt(repl, replLen));
      this.out.push('\t.popsection', '\t.pushsection .altinstructions,"a",@progbits',
        `\t.long ${this.place(orig)} - .`, `\t.long ${r} - .`, `\t.word ${hex(cpuid)}`,
        `\t.byte ${origLen}, ${replLen}, ${padLen}, 0`, '\t.popsection');
    }
    return n;
  }

  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

async function main(): Promise<void> {
  const [imagePath, fn, label] = process.argv.slice(2);
  if (!imagePath || !fn || !label) fail('usage: gen-function-copy.ts IMAGE FUNCTION LABEL');
  await initDisassembler();
  const elf = ElfFile.parse(readFileSync(imagePath));
  const syms = SymbolTable.fromElf(elf.symbols());
  const sym = syms.lookup(fn);
  if (!sym || !sym.size) fail(`${imagePath} has no sized symbol ${fn}`);
  const lo = sym.address;
  const hi = lo + BigInt(sym.size);
  const between = (a: string, b: string): [Uint8Array, bigint] | undefined => {
    const s = syms.address(a);
    const e = syms.address(b);
    return s !== undefined && e !== undefined && e > s ? [elf.readAt(s, Number(e - s)), s] : undefined;
  };
  let from = syms.address('__start_bug_frames');
  for (let t = 0; t < 4 && from !== undefined; t++) {
    const stop = syms.address(`__stop_bug_frames_${t}`);
    if (stop === undefined) break;
    const frames = stop > from ? decodeBugFrames(t, elf.readAt(from, Number(stop - from)), from) : [];
    if (frames.some((f) => f.address >= lo && f.address < hi)) fail(`${fn} has bug frames, which this generator does not carry`);
    from = stop;
  }
  const insns = disassemble(elf.readAt(lo, sym.size), lo);
  const decoded = insns.reduce((n, i) => n + i.size, 0);
  if (decoded !== sym.size) fail(`${fn}: decoded ${decoded} of ${sym.size} bytes`);
  const c = new Copier(elf, syms, lo, hi, label);
  c.body(insns);
  const ex = between('__start___ex_table', '__stop___ex_table');
  const entries = ex ? decodeExceptionTable(ex[0], ex[1]).filter((e) => e.addr >= lo && e.addr < hi) : [];
  c.exTable(entries);
  const alt = between('__alt_instructions', '__alt_instructions_end');
  const nAlt = alt ? c.alternatives(alt[0], alt[1]) : 0;
  const id = elf.buildId();
  process.stdout.write(`/* Generated by gen-function-copy.ts: ${fn} of ${imagePath} (build-id ${id ? Buffer.from(id).toString('hex') : '?'}),\n` +
    ` * ${hex(sym.size)} bytes at ${hex(lo)}, ${entries.length} .ex_table entr${entries.length === 1 ? 'y' : 'ies'}, ${nAlt} .altinstructions entries. */\n` +
    `#define ${fn.toUpperCase()}_OLD_ADDR ${hex(lo)}\n#define ${fn.toUpperCase()}_OLD_SIZE ${hex(sym.size)}\n` + c.text());
}

void main();

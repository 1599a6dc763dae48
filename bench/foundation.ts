// Foundation figures: guest call round trip, loop speed with xlp's hooks vs bare Unicorn, image parse and load time.
import { enablePaging } from '../emulator/cpu/control.ts';
import { Machine } from '../emulator/xen/machine.ts';
import { PageTables } from '../emulator/cpu/paging.ts';
import { PhysicalMemory } from '../emulator/cpu/physical.ts';
import { REG, Unicorn } from '../emulator/cpu/unicorn.ts';
import { readFileSync } from 'node:fs';
import { bootImage } from '../loader/boot.ts';
import { ElfFile } from '../loader/elf/index.ts';
import { DEBIAN_420_IMAGE, DEBIAN_IMAGE, Image } from '../loader/image/index.ts';
import { type Figure, median, timeMs } from './measure.ts';

const CODE = 0xffff82d040800000n;
const LOOP = [0x48, 0x89, 0xf9, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3]; // mov %rdi,%rcx; 1: dec %rcx; jnz 1b; ret
const ITER = 100_000_000;

function callRoundTrip(): number {
  const { machine, image } = bootImage('builtin');
  const fn = image.symbol('xen_minor_version');
  const N = 20_000;
  const samples: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) machine.call(fn);
    samples.push(((performance.now() - t0) * 1000) / N);
  }
  machine.close();
  return median(samples);
}

/** The loop in a full Machine (INTR, invalid-insn, OUT hooks, a stub elsewhere) vs a bare instance, alternating. */
function loopRatio(): { ratio: number; mips: number } {
  const m = new Machine();
  m.map(CODE, 0x1000, 'rx');
  m.write(CODE, Buffer.from(LOOP));
  m.stub(CODE + 0x800n, 'elsewhere', () => 0);

  const uc = new Unicorn();
  const mem = new PhysicalMemory(1 << 20);
  uc.memMapPtr(0n, mem.host);
  const pt = new PageTables(mem);
  pt.map(CODE, 0x1000, 'rx');
  pt.map(CODE + 0x10000n, 0x1000, 'rw');
  mem.bytes.set(LOOP, pt.translate(CODE)!.physical);
  enablePaging(uc, pt.root);
  const bare = (): void => {
    uc.regWrite(REG.RDI, BigInt(ITER));
    uc.regWrite(REG.RSP, CODE + 0x10ff0n);
    uc.emuStart(CODE, CODE + 8n, 0, 0); // stop at the ret
  };
  const hooked = (): void => void m.call(CODE, [ITER]);
  const a: number[] = [];
  const b: number[] = [];
  hooked();
  bare(); // translate both once before measuring
  for (let i = 0; i < 9; i++) {
    a.push(timeMs(hooked, 1));
    b.push(timeMs(bare, 1));
  }
  m.close();
  uc.close();
  mem.release();
  return { ratio: median(b) / median(a), mips: (2 * ITER) / (median(a) * 1000) };
}

function imageLoad(path: string): number {
  const m0 = new Machine();
  Image.load(m0, path); // warm the file cache and the JIT
  m0.close();
  return timeMs(() => {
    const m = new Machine();
    Image.load(m, path);
    m.close();
  }, 7);
}

/** What test/elf/xen-syms.test.ts used to time: our ELF reader on Debian's xen-syms, symbols included. */
function debianParse(): number {
  const bytes = readFileSync(DEBIAN_IMAGE);
  for (let i = 0; i < 5; i++) ElfFile.parse(bytes).symbols(); // warm up
  return timeMs(() => ElfFile.parse(bytes).symbols(), 15);
}

export function foundationFigures(): Figure[] {
  const rt = callRoundTrip();
  const loop = loopRatio();
  const load = imageLoad(DEBIAN_IMAGE);
  const load420 = imageLoad(DEBIAN_420_IMAGE);
  const parse = debianParse();
  return [
    { name: 'guest call round trip (xen_minor_version, builtin)', value: rt, unit: 'µs', goal: '≤ 5 µs', met: rt <= 5 },
    { name: 'tight loop with xlp hooks / bare Unicorn (same run)', value: loop.ratio, unit: '×', goal: '≥ 0.9', met: loop.ratio >= 0.9 },
    { name: 'tight loop speed with xlp hooks', value: loop.mips, unit: 'M insn/s' },
    { name: "load Debian's xen-syms 4.17 as an Image (warm)", value: load, unit: 'ms', goal: '≤ 100 ms', met: load <= 100 },
    { name: "load Debian's xen-syms 4.20 as an Image (warm)", value: load420, unit: 'ms', goal: '≤ 100 ms', met: load420 <= 100 },
    { name: "parse Debian's xen-syms 4.17 and read all symbols", value: parse, unit: 'ms', goal: '≤ 20 ms', met: parse <= 20 },
  ];
}

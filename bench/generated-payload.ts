// Payloads with N patch sites for the scaling benchmark, generated as C and built with gcc/ld like the test
// payloads (cached under build/bench). Sites are 16 bytes apart inside Debian's larger functions, past any
// ENDBR64, so N can exceed the number of functions; none of them is executed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '../loader/image/index.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { STT_FUNC } from '../loader/elf/index.ts';

export function patchSites(image: Image, n: number): bigint[] {
  const sites: bigint[] = [];
  const funcs = [...image.symbols.all()]
    .filter((s) => s.type === STT_FUNC && s.size >= 48 && s.address >= image.text.start && s.address < image.text.end)
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  for (const f of funcs) {
    for (let off = 16; off + 16 <= f.size && sites.length < n; off += 16) sites.push(f.address + BigInt(off));
    if (sites.length >= n) break;
  }
  if (sites.length < n) throw new Error(`only ${sites.length} patch sites in ${image.name}`);
  return sites;
}

const note = (section: string, id: Uint8Array): string =>
  `__asm__(".pushsection ${section},\\"a\\",@progbits\\n.balign 4\\n.long 4, ${id.length}, 3\\n.asciz \\"GNU\\"\\n.byte ${[...id].join(',')}\\n.popsection");`;

/** Build (once) a payload whose .livepatch.funcs has one entry per site, all jumping to one new function. */
export function generatedPayload(image: Image, n: number): Buffer {
  const dir = join(REPO_ROOT, 'build/bench');
  const out = join(dir, `sites_${n}_${image.buildIdHex.slice(0, 12)}.livepatch`);
  if (existsSync(out)) return readFileSync(out);
  mkdirSync(dir, { recursive: true });
  const sites = patchSites(image, n);
  const entries = sites.map((a) => `{ 0, bench_new, (void *)0x${a.toString(16)}UL, 8, 16, 2 }`).join(',\n');
  const src = `
struct lpf { const char *name; void *new_addr; void *old_addr; unsigned int new_size, old_size;
             unsigned char version, pad[39], expect[32]; };
const char *bench_new(void);
const char *bench_new(void) { return "bench"; }
struct lpf __attribute__((section(".livepatch.funcs"), used)) bench_funcs[${n}] = {
${entries}
};
${note('.livepatch.depends', image.buildId)}
${note('.livepatch.xen_depends', image.buildId)}
`;
  const c = join(dir, `sites_${n}.c`);
  writeFileSync(c, src);
  const o = `${c}.o`;
  execFileSync('gcc', ['-O2', '-fpic', '-fvisibility=hidden', '-mno-red-zone', '-fno-asynchronous-unwind-tables', '-ffunction-sections', '-c', c, '-o', o]);
  execFileSync('ld', ['-r', '--build-id=sha1', '-z', 'noexecstack', o, '-o', out]);
  return readFileSync(out);
}

// Lint figures: one payload against Debian's xen-syms, the image parsed and its whole .text decoded for the call
// graph on every run (no cache), plus the per-payload cost once the image is loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFile } from '../loader/elf/index.ts';
import { DEBIAN_420_IMAGE, DEBIAN_IMAGE, REPO_ROOT } from '../loader/image/index.ts';
import { CallGraph } from '../loader/lint/callgraph.ts';
import { LintImage, lintImage } from '../loader/lint/index.ts';
import { type Figure, timeMs } from './measure.ts';

function lintOne(imagePath: string, target: string): { fullMs: number; graphMs: number; payloadMs: number; insns: number } {
  const file = join(REPO_ROOT, 'build/payloads', target, 'xen_hello_world.livepatch');
  const payload = { path: file, bytes: new Uint8Array(readFileSync(file)) };
  const fresh = (): LintImage => new LintImage(imagePath, ElfFile.parse(readFileSync(imagePath)));
  const full = (): void => void lintImage(fresh(), [payload]);
  full(); // warm up the JIT
  const fullMs = timeMs(full, 7);
  const image = fresh();
  const graphMs = timeMs(() => void CallGraph.build(image.regions), 7);
  lintImage(image, [payload]);
  const payloadMs = timeMs(() => void lintImage(image, [payload]), 7);
  return { fullMs, graphMs, payloadMs, insns: image.callGraph().instructions };
}

export function lintFigures(): Figure[] {
  return ([['4.17', DEBIAN_IMAGE, 'debian'], ['4.20', DEBIAN_420_IMAGE, 'debian-4.20']] as const).flatMap(([v, path, target]) => {
    const { fullMs, graphMs, payloadMs, insns } = lintOne(path, target);
    return [
      { name: `xlp lint, payload vs Debian's xen-syms ${v} (read + parse + call graph + rules)`, value: fullMs, unit: 'ms', goal: '≤ 1000 ms', met: fullMs <= 1000 },
      { name: `call-graph decode of Debian's ${v} code (${(insns / 1000).toFixed(0)}k insns)`, value: graphMs, unit: 'ms' },
      { name: `xlp lint, one more payload on a loaded ${v} image`, value: payloadMs, unit: 'ms' },
    ];
  });
}

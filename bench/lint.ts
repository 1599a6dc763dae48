// Lint figures: one payload against Debian's xen-syms, the image parsed and its whole .text decoded for the call
// graph on every run (no cache), plus the per-payload cost once the image is loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFile } from '../loader/elf/index.ts';
import { DEBIAN_IMAGE, REPO_ROOT } from '../loader/image/index.ts';
import { CallGraph } from '../loader/lint/callgraph.ts';
import { LintImage, lintImage } from '../loader/lint/index.ts';
import { type Figure, timeMs } from './measure.ts';

const PAYLOAD = join(REPO_ROOT, 'build/payloads/debian/xen_hello_world.livepatch');

export function lintFigures(): Figure[] {
  const payload = { path: PAYLOAD, bytes: new Uint8Array(readFileSync(PAYLOAD)) };
  const fresh = (): LintImage => new LintImage(DEBIAN_IMAGE, ElfFile.parse(readFileSync(DEBIAN_IMAGE)));
  const full = (): void => void lintImage(fresh(), [payload]);
  full(); // warm up the JIT
  const fullMs = timeMs(full, 7);
  const image = fresh();
  const graphMs = timeMs(() => void CallGraph.build(image.regions), 7);
  lintImage(image, [payload]);
  const payloadMs = timeMs(() => void lintImage(image, [payload]), 7);
  const insns = image.callGraph().instructions;
  return [
    { name: "xlp lint, payload vs Debian's xen-syms (read + parse + call graph + rules)", value: fullMs, unit: 'ms', goal: '≤ 1000 ms', met: fullMs <= 1000 },
    { name: `call-graph decode of Debian's code (${(insns / 1000).toFixed(0)}k insns)`, value: graphMs, unit: 'ms' },
    { name: 'xlp lint, one more payload on a loaded image', value: payloadMs, unit: 'ms' },
  ];
}

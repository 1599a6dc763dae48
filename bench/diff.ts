// xlp diff figures for Debian's do_xen_version and the example fix. A differential input is what `xlp diff`
// does per input: the old code and the new each run it from their start state (arguments placed, call,
// observation, reset), and the two observations are compared. Old and new sides live in two machines here
// so that batches of differential inputs and batches of plain calls (a third machine: arguments placed,
// call, nothing else) can alternate; each ratio compares two neighbouring batches, under the same load.
import { readFileSync } from 'node:fs';
import { classify } from '../cli/diff/compare.ts';
import { runDiff } from '../cli/diff/engine.ts';
import { type Input, generateInputs } from '../cli/diff/inputs.ts';
import { ArgumentArea, RunSide, slotAddress } from '../cli/diff/run-side.ts';
import { KNOWN_SIGNATURES } from '../cli/diff/signature.ts';
import { XenContext } from '../emulator/xen/context/context.ts';
import type { Machine } from '../emulator/xen/machine.ts';
import { bootImage } from '../loader/boot.ts';
import { LivepatchHost } from '../loader/livepatch/host.ts';
import { payloadPath } from '../loader/livepatch/payload-files.ts';
import { type Figure, median } from './measure.ts';

const FN = 'do_xen_version';
const PAYLOAD = payloadPath('debian', 'xlp_xen_version_bounds');
const sig = KNOWN_SIGNATURES.get(FN)!;

function side(apply: boolean): { machine: Machine; run: RunSide; at: bigint } {
  const booted = bootImage('debian');
  const ctx = XenContext.install(booted.image);
  const host = new LivepatchHost(booted);
  host.upload('fix', readFileSync(PAYLOAD));
  if (apply) host.actionAndWait('fix', 'APPLY');
  ctx.use('control');
  const area = new ArgumentArea(booted.machine, [sig]);
  return { machine: booted.machine, run: new RunSide(booted.machine, ctx, area), at: booted.image.symbol(FN) };
}

export function diffFigures(): Figure[] {
  const inputs: Input[] = generateInputs(FN, sig, 2000, 1);
  const old = side(false);
  const neu = side(true);
  const plain = side(false);
  const diffBatch = (): number => {
    const t0 = performance.now();
    let n = 0;
    for (const i of inputs) if (classify(old.run.observe(old.at, i), neu.run.observe(neu.at, i))) n++;
    if (n === 0) throw new Error('the example fix should diverge');
    return ((performance.now() - t0) * 1000) / inputs.length;
  };
  const plainBatch = (): number => {
    const m = plain.machine;
    const t0 = performance.now();
    for (const i of inputs) {
      const regs = i.args.map((a, k) => {
        if (a.kind === 'buffer') m.write(slotAddress(k), a.bytes);
        return a.kind === 'buffer' ? slotAddress(k) : a.kind === 'int' ? a.value : a.value < 0n ? 0n : a.value;
      });
      try {
        m.call(plain.at, regs);
      } catch {
        /* a fault ends the call as it ends a differential run */
      }
    }
    return ((performance.now() - t0) * 1000) / inputs.length;
  };
  diffBatch(); // JIT and translation warm-up
  plainBatch();
  const diffUs: number[] = [];
  const callUs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < 9; r++) {
    const d = diffBatch();
    const c = plainBatch();
    diffUs.push(d);
    callUs.push(c);
    ratios.push(d / (2 * c));
  }
  for (const s of [old, neu, plain]) s.machine.close();
  const rate = 1e6 / median(diffUs);
  const ratio = median(ratios);
  const t0 = performance.now();
  const whole = runDiff({ image: 'debian', payloads: [PAYLOAD], count: 10000, seed: 1, domain: 'control' });
  const wholeS = (performance.now() - t0) / 1000;
  return [
    { name: `xlp diff, ${FN} (debian): differential inputs per second (old + new run, reset after each, compared)`, value: rate, unit: 'inputs/s', goal: '≥ 10 000', met: rate >= 10000 },
    { name: '  one differential input', value: median(diffUs), unit: 'µs' },
    { name: `  one plain call of ${FN} (arguments placed)`, value: median(callUs), unit: 'µs' },
    { name: '  differential input / (2 × plain call), neighbouring batches', value: ratio, unit: '×', goal: '≤ 3×', met: ratio <= 3 },
    { name: `  whole xlp diff run, ${whole.inputs} inputs (boot, upload, apply, report data)`, value: wholeS, unit: 's' },
  ];
}

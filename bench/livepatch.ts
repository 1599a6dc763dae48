// Live-patch figures: a full upload+apply+revert cycle, applying 1000 vs 10 000 functions, and the cost of
// going through a trampoline.
import { bootImage } from '../loader/boot.ts';
import { LivepatchHost } from '../loader/livepatch/host.ts';
import { builtPayload } from '../index.ts';
import { generatedPayload } from './generated-payload.ts';
import { type Figure, median, timeMs } from './measure.ts';

function cycle(): number {
  const h = new LivepatchHost(bootImage('builtin'));
  const bytes = builtPayload('builtin', 'xen_hello_world');
  const one = (): void => {
    h.upload('xen_hello_world', bytes);
    h.actionAndWait('xen_hello_world', 'APPLY');
    h.actionAndWait('xen_hello_world', 'REVERT');
  };
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    samples.push(timeMs(one, 1));
    h.action('xen_hello_world', 'UNLOAD'); // not re-appliable: unload and upload again
    h.machine.console.drain();
  }
  h.machine.close();
  return median(samples.slice(50)); // steady state, after the JIT warmed up
}

function applyMany(n: number, image = 'debian'): number {
  const h = new LivepatchHost(bootImage(image));
  const bytes = generatedPayload(h.image, n);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    h.upload('many', bytes);
    samples.push(timeMs(() => h.actionAndWait('many', 'APPLY', { nodeps: true }), 1));
    h.actionAndWait('many', 'REVERT');
    h.action('many', 'UNLOAD');
  }
  h.machine.close();
  return median(samples);
}

/** A guest loop calling xen_extra_version N times, unpatched vs through hello's trampoline, alternating. */
function trampolineCost(): { plain: number; patched: number } {
  const h = new LivepatchHost(bootImage('builtin'));
  const m = h.machine;
  const target = h.image.symbol('xen_extra_version');
  const loop = m.scratch(64, 'rwx');
  const code = Buffer.from([
    0x53, // push %rbx
    0x48, 0x89, 0xfb, // mov %rdi,%rbx
    0x48, 0xb8, ...Buffer.from(new BigUint64Array([target]).buffer), // movabs $target,%rax
    0xff, 0xd0, // 1: call *%rax
    0x48, 0xb8, ...Buffer.from(new BigUint64Array([target]).buffer), // movabs $target,%rax
    0x48, 0xff, 0xcb, // dec %rbx
    0x75, 0xef, // jnz 1b (back to the call)
    0x5b, 0xc3, // pop %rbx; ret
  ]);
  m.write(loop, code);
  h.upload('xen_replace_world', builtPayload('builtin', 'xen_replace_world'));
  const N = 200_000;
  const plain: number[] = [];
  const patched: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push(timeMs(() => void m.call(loop, [N]), 1));
    h.actionAndWait('xen_replace_world', 'APPLY');
    patched.push(timeMs(() => void m.call(loop, [N]), 1));
    h.actionAndWait('xen_replace_world', 'REVERT');
  }
  m.close();
  return { plain: (median(plain) * 1e6) / N, patched: (median(patched) * 1e6) / N };
}

export function livepatchFigures(): Figure[] {
  const c = cycle();
  const a1k = applyMany(1000);
  const a10k = applyMany(10_000);
  const a1k420 = applyMany(1000, 'debian-4.20');
  const t = trampolineCost();
  return [
    { name: 'upload+apply+revert of xen_hello_world (builtin)', value: c, unit: 'ms', goal: '≤ 1 ms', met: c <= 1 },
    { name: 'apply of a 1000-function payload (debian)', value: a1k, unit: 'ms', goal: '≤ 20 ms', met: a1k <= 20 },
    { name: 'apply of a 1000-function payload (debian-4.20)', value: a1k420, unit: 'ms', goal: '≤ 20 ms', met: a1k420 <= 20 },
    { name: 'apply of a 10 000-function payload (debian)', value: a10k, unit: 'ms' },
    { name: 'apply time ratio 10 000 / 1000 functions', value: a10k / a1k, unit: '×', goal: '≤ 12× (linear)', met: a10k / a1k <= 12 },
    { name: 'guest call of xen_extra_version, unpatched', value: t.plain, unit: 'ns' },
    { name: 'guest call of xen_extra_version through the trampoline', value: t.patched, unit: 'ns' },
  ];
}

// The `make demo` section on hypercalls in Xen's context and `xlp diff` (self-contained: one entry of SECTIONS).
import { runDiff } from './diff/engine.ts';
import { KIND_TITLES } from './diff/compare.ts';
import { formatArg } from './diff/inputs.ts';
import { XenContext } from '../emulator/xen/context/context.ts';
import { bootImage } from '../loader/boot.ts';
import { payloadPath } from '../loader/livepatch/payload-files.ts';
import { Expectations } from './diff/expect.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { join } from 'node:path';

const say = (s = ''): void => console.log(s);
const signed = (v: bigint): string => BigInt.asIntN(64, v).toString();

export function diffDemo(): void {
  say("Debian's real do_xen_version() under a current vCPU (control domain, then an ordinary guest):");
  const { machine: m, image } = bootImage('debian');
  try {
    const ctx = XenContext.install(image);
    const buf = 0x10000000n; // PV guest memory: the lower half, where copy_to_guest accepts pointers
    m.map(buf, 0x1000, 'rw');
    say(`  do_xen_version(XENVER_extraversion, buf) = ${signed(image.call('do_xen_version', [1, buf]))}, buf = ${JSON.stringify(m.readCString(buf))}`);
    m.writeU32(buf, 64);
    say(`  do_xen_version(XENVER_build_id, buf) as dom0 = ${signed(image.call('do_xen_version', [10, buf]))}, id ${m.read(buf + 4n, 20).toString('hex')}`);
    ctx.use('guest');
    say(`  do_xen_version(XENVER_build_id, buf) as domU = ${signed(image.call('do_xen_version', [10, buf]))} (-EPERM: Xen's dummy XSM policy)`);
    say(`  do_xen_version(XENVER_extraversion, 0x20000000) = ${signed(image.call('do_xen_version', [1, 0x20000000n]))} (-EFAULT: a #PF fixed up by Xen's own .fixup)`);
  } finally {
    m.close();
  }
  say('xlp diff: the same inputs through the old do_xen_version and a fix (-EINVAL above XENVER_build_id):');
  const r = runDiff({
    image: 'debian', payloads: [payloadPath('debian', 'xlp_xen_version_bounds')], count: 100, seed: 1, domain: 'control',
    expect: Expectations.read(join(REPO_ROOT, 'scenarios/diff/xen-version-bounds.expect.yaml')),
  });
  say(`  ${r.inputs} inputs, ${r.divergences.length} divergences (${r.unexpected} unexpected)`);
  const byKind = new Map<string, number>();
  for (const d of r.divergences) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  for (const [k, n] of byKind) say(`  ${KIND_TITLES[k as keyof typeof KIND_TITLES]}: ${n}`);
  const cmds = r.divergences.map((d) => BigInt.asIntN(32, (d.input.args[0] as { value: bigint }).value));
  const min = cmds.reduce((a, b) => (b < a ? b : a));
  say(`  every diverging cmd is above 10 (lowest ${min}); e.g. do_xen_version(${r.divergences[0]!.input.args.map(formatArg).join(', ')}): ` +
    `old ${signed(r.divergences[0]!.old.returns!)}, new ${signed(r.divergences[0]!.new.returns!)}`);
}

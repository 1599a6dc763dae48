// `make demo`: boot both images, run real hypervisor code, show a fault fixed up through the exception table,
// then live-patch xen_extra_version and revert it.
import { VECTOR_NAMES } from '../emulator/cpu/errors.ts';
import { disassemble, initDisassembler } from '../emulator/cpu/disasm.ts';
import type { Machine } from '../emulator/xen/machine.ts';
import { type BootedImage, bootImage } from '../loader/boot.ts';
import { LivepatchHost } from '../loader/livepatch/host.ts';
import { payloadPath } from '../loader/livepatch/payload-files.ts';
import { readFileSync } from 'node:fs';
import { hex } from './args.ts';

const say = (s = ''): void => console.log(s);

function showInstructions(m: Machine, label: string, at: bigint, count: number): void {
  const insns = disassemble(m.read(at, 32), at, count);
  insns.forEach((i, n) => {
    const bytes = Buffer.from(i.bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
    say(`    ${n === 0 ? label.padEnd(9) : ''.padEnd(9)} ${m.symbolize(i.address).padEnd(34)} ${bytes.padEnd(24)} ${i.text}`);
  });
}

function showFixups(host: BootedImage): void {
  const m = host.machine;
  for (const f of m.fixups) {
    say(`  ${VECTOR_NAMES[f.vector] ?? f.vector} at ${m.symbolize(f.rip)} -> exception table -> ${m.symbolize(f.resume)}`);
    showInstructions(m, 'faulting', f.rip, 1);
    showInstructions(m, 'fixup', f.resume, 2);
  }
}

async function main(): Promise<void> {
  await initDisassembler();
  const builtin = bootImage('builtin');
  const debian = bootImage('debian');
  for (const [label, host] of [['builtin', builtin], ['debian', debian]] as const) {
    say(`== ${label} image: ${host.image.path}`);
    say(`  build-id ${host.image.buildIdHex}, ${host.image.symbols.size} symbols, ${host.image.exceptionTable.length} ex_table entries`);
    say(`  xen_extra_version() = ${JSON.stringify(host.machine.readCString(host.image.call('xen_extra_version')))}`);
    say(`  xen_minor_version() = ${host.image.call('xen_minor_version')}`);
    say();
  }

  say('== a #GP fixed up through the builtin image\'s .ex_table');
  const out = builtin.machine.scratch(8);
  const rv = builtin.image.call('read_u64_unsafe', [0xdead000000000000n, out]);
  showFixups(builtin);
  say(`  read_u64_unsafe(0xdead000000000000) returned ${BigInt.asIntN(32, rv)} (-EFAULT)`);
  say();

  say('== a #PF inside Debian\'s real copy_from_guest_ll, fixed up by Xen\'s own .fixup code');
  const m = debian.machine;
  const src = 0x10000n;
  const dst = 0xffff82d0c0000000n;
  m.map(src, 0x1000, 'rw');
  m.fill(src, 0x1000, 0xab);
  m.map(dst, 0x2000, 'rw');
  const left = debian.image.call('copy_from_guest_ll', [dst, src, 0x2000]);
  showFixups(debian);
  say(`  copy_from_guest_ll(${hex(dst)}, ${hex(src)}, 0x2000): ${left} bytes not copied (the second page is not mapped)`);
  say();

  for (const [target, host] of [['builtin', builtin], ['debian', debian]] as const) livePatch(target, host);
  builtin.machine.close();
  debian.machine.close();
}

/** Upload, apply, stack, revert: Xen's own test payloads, rebuilt for this image. */
function livePatch(target: 'builtin' | 'debian', booted: BootedImage): void {
  const h = new LivepatchHost(booted);
  const m = booted.machine;
  const fn = booted.image.symbol('xen_extra_version');
  const extra = (): string => JSON.stringify(m.readCString(booted.image.call('xen_extra_version')));
  const step = (name: string, action: 'APPLY' | 'REVERT'): void => {
    m.console.drain();
    const s = h.actionAndWait(name, action)!;
    say(`  ${action.toLowerCase().padEnd(6)} ${name}: ${s.state}, rc=${s.rc}; xen_extra_version() = ${extra()}`);
    for (const l of m.console.drain()) say(`      (console) ${l}`);
  };
  say(`== live patching the ${target} image`);
  say(`  xen_extra_version() = ${extra()}`);
  showInstructions(m, 'before', fn, 2);
  for (const name of ['xen_hello_world', 'xen_bye_world']) h.upload(name, readFileSync(payloadPath(target, name)));
  say(`  uploaded xen_hello_world and xen_bye_world (CHECKED; each in its own region, ${h.list().length} payloads)`);
  step('xen_hello_world', 'APPLY');
  showInstructions(m, 'after', fn, 1);
  showInstructions(m, 'new code', h.payload('xen_hello_world').prepared.funcs[0]!.newAddr, 3);
  step('xen_bye_world', 'APPLY');
  try {
    h.action('xen_hello_world', 'REVERT');
  } catch (e) {
    say(`  revert xen_hello_world while bye is on top: ${(e as Error).message}`);
  }
  step('xen_bye_world', 'REVERT');
  step('xen_hello_world', 'REVERT');
  showInstructions(m, 'restored', fn, 2);
  say();
}

await main();

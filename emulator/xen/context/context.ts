// The hypervisor context Xen's own code expects when a hypercall arrives: a current vCPU and its domain,
// reached the way Xen reaches them (struct cpu_info at the top of the STACK_SIZE-aligned stack), for a
// privileged control domain (dom0, also the hardware domain) and an ordinary PV guest domain; plus what a Xen
// that never booted lacks and a booted one would have (see SERVED below). Offsets come from the image's layout.
import { STACK_BASE } from '../../cpu/cpu.ts';
import { STACK_SIZE, type Machine } from '../machine.ts';
import { HostHeap } from './heap.ts';
import { KNOWN_LAYOUTS, type LayoutField, type XenImageView, type XenLayout, layoutFrom } from './layout.ts';
import { searchLayout } from './layout-search.ts';

import { DOMAIN_KINDS, type DomainKind } from './domains.ts';

export { DOMAIN_KINDS, type DomainKind, isDomainKind } from './domains.ts';

/** Xen's structures are xmalloc'd in the directmap; ours go there too, clear of the live-patch heap. */
export const CONTEXT_BASE = 0xffff830100000000n;
export const HOST_HEAP_BASE = 0xffff830200000000n;
const HOST_HEAP_SIZE = 16 << 20;
const DOMAIN_BYTES = 0x4000; // more than struct domain's size in 4.17 (the highest field we know is pbuf at 0x798)
const VCPU_BYTES = 0x2000;
const DOMAIN_PBUF_SIZE = 200; // xen/include/xen/sched.h

/** What xlp serves so that hypercall handlers of a never-booted Xen find the state boot would have left. */
export const SERVED: readonly string[] = [
  'struct cpu_info.current_vcpu → the chosen domain\'s vCPU 0 (processor_id 0, per_cpu_offset 0: CPU 0 uses the image\'s per-CPU data)',
  'two PV domains: control (domain_id 0, is_privileged, hardware_domain) and guest (domain_id 1, with its console pbuf)',
  'each vCPU\'s vcpu_info: a zeroed page (no event pending, so long console writes are not preempted)',
  'xen_build_init() run once: the build-id that XENVER_build_id copies',
  '_xmalloc/_xzalloc/_xrealloc/xfree from a host heap (Xen\'s xmalloc pool is set up at boot)',
  'opt_console_to_ring = 1: the hardware domain\'s console writes land in drivers/char/console.c#conring',
];

export class XenContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XenContextError';
  }
}

export interface DomainHandle {
  readonly kind: DomainKind;
  readonly id: number;
  readonly domain: bigint;
  readonly vcpu: bigint;
}

/**
 * The layout for this image: its build-id's table entry, else a search of its code if the disassembler is ready
 * (`strict`: a search that cannot run throws, so that "no context" is never a missing initDisassembler()).
 */
export function layoutOf(image: XenImageView, strict = false): XenLayout {
  const known = KNOWN_LAYOUTS.get(image.buildIdHex);
  if (known) return layoutFrom(known.evidence, 'table');
  try {
    return layoutFrom(searchLayout(image), 'search');
  } catch (e) {
    if (strict) throw e;
    return layoutFrom([], 'search'); // no disassembler (initDisassembler() not awaited): every field unknown
  }
}

const installed = new WeakMap<XenImageView, XenContext>();

const NEEDED: readonly LayoutField[] = ['stackSize', 'cpuInfoCurrentVcpu', 'vcpuDomain', 'domainIsPrivileged'];

export class XenContext {
  readonly domains: Readonly<Record<DomainKind, DomainHandle>>;
  readonly heap: HostHeap;
  private readonly currentSlot: bigint;

  private constructor(readonly image: XenImageView, readonly layout: XenLayout) {
    const m = image.machine;
    const f = layout.fields;
    const missing = NEEDED.filter((n) => f[n] === undefined);
    if (missing.length) {
      throw new XenContextError(`${image.name}: unknown layout field(s) ${missing.join(', ')}: no current vCPU can be made`);
    }
    if (f.stackSize !== STACK_SIZE) {
      throw new XenContextError(`${image.name}: STACK_SIZE is 0x${f.stackSize!.toString(16)}, the emulator's stack is 0x${STACK_SIZE.toString(16)}`);
    }
    const top = STACK_BASE + BigInt(STACK_SIZE);
    this.currentSlot = top + BigInt(f.cpuInfoCurrentVcpu!);
    m.map(CONTEXT_BASE, 2 * (DOMAIN_BYTES + 2 * VCPU_BYTES), 'rw');
    this.heap = new HostHeap(m, HOST_HEAP_BASE, HOST_HEAP_SIZE);
    this.heap.serve(image);
    const make = (kind: DomainKind, index: number): DomainHandle => {
      const domain = CONTEXT_BASE + BigInt(index * (DOMAIN_BYTES + 2 * VCPU_BYTES));
      const vcpu = domain + BigInt(DOMAIN_BYTES);
      const vcpuInfo = vcpu + BigInt(VCPU_BYTES);
      m.writeU64(vcpu + BigInt(f.vcpuDomain!), domain);
      if (f.vcpuVcpuInfo !== undefined) m.writeU64(vcpu + BigInt(f.vcpuVcpuInfo), vcpuInfo);
      if (f.domainId !== undefined) m.write(domain + BigInt(f.domainId), Buffer.from([index, 0]));
      m.write(domain + BigInt(f.domainIsPrivileged!), Buffer.from([kind === 'control' ? 1 : 0]));
      if (kind === 'guest' && f.domainPbuf !== undefined) m.writeU64(domain + BigInt(f.domainPbuf), this.heap.alloc(BigInt(DOMAIN_PBUF_SIZE), 0n));
      return { kind, id: index, domain, vcpu };
    };
    this.domains = { control: make('control', 0), guest: make('guest', 1) };
    this.setGlobal('hardware_domain', this.domains.control.domain);
    const toRing = image.symbols.address('drivers/char/console.c#opt_console_to_ring');
    if (toRing !== undefined) m.write(toRing, Buffer.from([1]));
    this.use('control');
    this.buildInit();
  }

  /** Set up the context on a loaded image; an image has one context (a second install returns it). */
  static install(image: XenImageView, layout?: XenLayout): XenContext {
    let c = installed.get(image);
    if (!c) installed.set(image, (c = new XenContext(image, layout ?? layoutOf(image))));
    return c;
  }

  get machine(): Machine {
    return this.image.machine;
  }

  /** Make `kind`'s vCPU current for the calls that follow. */
  use(kind: DomainKind): void {
    this.machine.writeU64(this.currentSlot, this.domains[kind].vcpu);
  }

  /** The domain whose vCPU is current, or undefined if something else was written there. */
  current(): DomainKind | undefined {
    const v = this.machine.readU64(this.currentSlot);
    return DOMAIN_KINDS.find((k) => this.domains[k].vcpu === v);
  }

  private setGlobal(name: string, value: bigint): void {
    const at = this.image.symbols.address(name);
    if (at !== undefined) this.machine.writeU64(at, value);
  }

  /** xen_build_init() is __init: boot runs it, and it records the build-id XENVER_build_id reports. */
  private buildInit(): void {
    const at = this.image.symbols.address('xen_build_init');
    if (at === undefined) return;
    this.machine.call(at);
    this.machine.console.drain(); // its "build-id: …" line belongs to boot
  }

  /** The text in Xen's console ring (drivers/char/console.c#conring), oldest first. */
  consoleRing(): string {
    const s = this.image.symbols;
    const ring = s.address('drivers/char/console.c#conring');
    const size = s.address('drivers/char/console.c#conring_size');
    const prod = s.address('drivers/char/console.c#conringp');
    const cons = s.address('drivers/char/console.c#conringc');
    if (ring === undefined || size === undefined || prod === undefined || cons === undefined) return '';
    const m = this.machine;
    const buf = m.readU64(ring);
    const n = m.readU32(size);
    const p = m.readU32(prod);
    const c = m.readU32(cons);
    const bytes = m.read(buf, n); // one read of the ring, not one per character
    let out = '';
    for (let i = c; i !== p; i = (i + 1) >>> 0) out += String.fromCharCode(bytes[i & (n - 1)]!);
    return out;
  }
}

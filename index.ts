// xlp as a library: boot an emulated Xen, upload and apply live patches, call hypervisor code.
import { readFileSync } from 'node:fs';
import type { MachineOptions } from './emulator/cpu/cpu.ts';
import { bootImage } from './loader/boot.ts';
import { type HostOptions, LivepatchHost } from './loader/livepatch/host.ts';
import { type PayloadTarget, payloadPath } from './loader/livepatch/payload-files.ts';

export interface BootOptions extends HostOptions {
  machine?: MachineOptions;
}

/** A live-patch host on `image`: `builtin` (default), `debian`, or a path to a Xen 4.17 xen-syms. */
export function boot(image = 'builtin', opts: BootOptions = {}): LivepatchHost {
  return new LivepatchHost(bootImage(image, opts.machine), opts);
}

/** The bytes of a payload that `make` built for the builtin or Debian image. */
export function builtPayload(target: PayloadTarget, name: string): Buffer {
  return readFileSync(payloadPath(target, name));
}

export { LivepatchHost, HostDead, type ActionOptions, type HostOptions, type ListEntry, type PayloadStatus } from './loader/livepatch/host.ts';
export { LivepatchError, Errno, errnoName, strerror } from './loader/livepatch/errno.ts';
export type { ActionName, PayloadState } from './loader/livepatch/abi.ts';
export { GuestFault, GuestTimeout, MachineError, type FaultReport } from './emulator/cpu/errors.ts';
export { Machine } from './emulator/xen/machine.ts';
export type { ArgumentBuffer, CallResult } from './emulator/cpu/cpu.ts';
export { ArgumentError, type BufferArg, type CallArg, type StructField } from './emulator/cpu/arguments.ts';
export { formatCallArg, parseCallArg } from './cli/call-args.ts';
export { Image, ImageError } from './loader/image/index.ts';
export { ElfFile, ElfError } from './loader/elf/index.ts';
export { bootImage } from './loader/boot.ts';
export { parseScenario, type Scenario } from './cli/scenario/schema.ts';
export { runScenario, type ScenarioResult } from './cli/scenario/runner.ts';
export { XenContext, XenContextError, type DomainKind } from './emulator/xen/context/context.ts';
export { runDiff, type DiffOptions, type DiffResult, type Divergence } from './cli/diff/engine.ts';

// Choosing the architecture object for an image: by its ELF machine (only x86-64 today; Xen also live-patches
// arm64), with the rules of the image's Xen version.
import { EM_X86_64 } from '../elf/constants.ts';
import type { Image } from '../image/index.ts';
import type { LivepatchArch } from './types.ts';
import { createX86Arch, x86FactsFromImage, type X86Options } from './x86/index.ts';

export type { LivepatchArch } from './types.ts';

export interface ArchOptions {
  x86?: X86Options;
}

/** For a booted image: its version's rules, and what the image itself shows (featureset size, vmap area). */
export function archFor(image: Image, opts: ArchOptions = {}): LivepatchArch {
  const machine = image.elf.header.machine;
  if (machine === EM_X86_64) return createX86Arch(x86FactsFromImage(image), opts.x86);
  throw new Error(`${image.name}: no live-patch support for ELF machine ${machine}`);
}

/** For code that reads an image without running it (lint): the baseline version's rules, no memory windows. */
export function archForMachine(machine: number): LivepatchArch {
  const none = { start: 0n, pages: 0 };
  if (machine === EM_X86_64) {
    return createX86Arch({ version: undefined, ncapints: undefined, windows: { area: none, heap: none } });
  }
  throw new Error(`no live-patch support for ELF machine ${machine}`);
}

// Bring up a Machine with an image loaded and its environment served: the starting point of every host.
import type { MachineOptions } from '../emulator/cpu/cpu.ts';
import { Machine } from '../emulator/xen/machine.ts';
import { Image, NAMED_IMAGES, prepareEnvironment, resolveImage } from './image/index.ts';

export interface BootedImage {
  machine: Machine;
  image: Image;
}

/** `spec` is `builtin`, `debian`, `debian-4.20` or a path to a Xen xen-syms. */
export function bootImage(spec = 'builtin', opts: MachineOptions = {}): BootedImage {
  const path = resolveImage(spec);
  const machine = new Machine(opts);
  try {
    const image = Image.load(machine, path, { name: Object.hasOwn(NAMED_IMAGES, spec) ? spec : undefined });
    prepareEnvironment(image);
    return { machine, image };
  } catch (e) {
    machine.close();
    throw e;
  }
}

// What Xen's code expects around it when we call into an image without booting it. The Xen machine already
// gives it a STACK_SIZE-aligned stack with a zeroed struct cpu_info on top (CPU 0, per-CPU offset 0) and the
// CR0/CR4/EFER bits; here we serve the functions whose boot-time state is missing, such as printk (its
// console is never initialised). Our own image prints through port 0xE9 itself and needs no stub.
import { xenInfoBanner } from '../../emulator/xen/execution-state.ts';
import { servePrintk } from '../../emulator/xen/printk.ts';
import type { Image } from './image.ts';
import { formatXenVersion } from './version.ts';

/** Our builtin image defines this symbol; any other xen-syms gets host stubs. */
export const BUILTIN_MARKER = 'xlp_builtin_image';

export function isBuiltin(image: Image): boolean {
  return image.symbols.lookup(BUILTIN_MARKER) !== undefined;
}

export function prepareEnvironment(image: Image): void {
  const printk = image.symbols.address('printk');
  if (!isBuiltin(image) && printk !== undefined) servePrintk(image.machine, printk);
  image.machine.xenInfo = xenInfoBanner(formatXenVersion(image.version), buildInfo(image));
}

/** xen_build_info() as the image returns it unbooted ("debug=n" for release builds). */
function buildInfo(image: Image): string {
  if (image.symbols.address('xen_build_info') === undefined) return 'debug=n';
  return image.machine.readCString(image.call('xen_build_info'), 128);
}

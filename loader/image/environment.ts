// What Xen's code expects around it when we call into an image without booting it. The Machine already gives
// it a STACK_SIZE-aligned stack with a zeroed struct cpu_info on top (CPU 0, per-CPU offset 0) and the
// CR0/CR4/EFER bits; here we serve the functions whose boot-time state is missing, such as printk (its
// console is never initialised). Our own image prints through port 0xE9 itself and needs no stub.
import type { Machine } from '../../emulator/machine.ts';
import type { Image } from './image.ts';
import { formatPrintk, sysvVarArgs } from './printk.ts';

/** Our builtin image defines this symbol; any other xen-syms gets host stubs. */
export const BUILTIN_MARKER = 'xlp_builtin_image';

export function isBuiltin(image: Image): boolean {
  return image.symbols.lookup(BUILTIN_MARKER) !== undefined;
}

export function servePrintk(image: Image): void {
  const printk = image.symbols.address('printk');
  if (printk === undefined) return;
  image.machine.stub(printk, 'printk', (regs, m: Machine) => {
    const rsp = m.reg('RSP');
    const args = sysvVarArgs(regs, 1, (i) => m.readU64(rsp + 8n * BigInt(i + 1)));
    const text = formatPrintk(m.readCString(regs[0]!), args, (a) => m.readCString(a), (a) => m.symbolize(a));
    m.console.write(text);
  });
}

export function prepareEnvironment(image: Image): void {
  if (!isBuiltin(image)) servePrintk(image);
}

// `xlp dmesg [--clear]`: the host's console, as `xl dmesg` shows Xen's (printk lines, hook output, WARN/BUG).
import type { Command } from 'commander';
import { BOOT_HINT } from '../images.ts';
import type { Output } from '../options.ts';
import { stateDir } from '../session/state-dir.ts';
import { clearConsole, viewHost } from '../session/view.ts';

export function registerDmesg(program: Command, io: Output): void {
  program
    .command('dmesg')
    .description("print the host's console since boot or the last --clear: Xen's printk lines (\"livepatch: …\", hook output, WARN/BUG)")
    .option('--clear', 'then clear it (as xl dmesg -c)')
    .option('--state <dir>', 'state directory of the emulated host (default $XLP_STATE or ./.xlp)')
    .action((o: { clear?: boolean; state?: string }) => {
      const dir = stateDir(o.state);
      const lines = viewHost(dir)?.console;
      if (!lines) {
        io.err(`xlp: no booted host in ${dir} (${BOOT_HINT})`);
        process.exitCode = 1;
        return;
      }
      lines.forEach((l) => io.out(l));
      if (o.clear) clearConsole(dir, lines.length); // lines printed since stay
    });
}

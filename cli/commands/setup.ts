// `xlp setup`: Unicorn and the images, for an installed package (a checkout's `make` does the same).
import type { Command } from 'commander';
import { setup } from '../../setup/setup.ts';
import type { Output } from '../options.ts';

export function registerSetup(program: Command, io: Output): void {
  program
    .command('setup')
    .description('set up Unicorn 2.1 and the builtin image where xlp is installed (--debian: Debian\'s Xen images too)')
    .option('--debian', 'also install Debian\'s Xen 4.17 debug image (apt-get, sudo) and fetch Xen 4.20\'s')
    .action((o: { debian?: boolean }) => setup({ debian: o.debian, say: (l) => io.out(l) }));
}

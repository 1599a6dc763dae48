import type { Command } from 'commander';
import { bootImage } from '../../loader/boot.ts';
import type { Image } from '../../loader/image/index.ts';
import { formatXenVersion } from '../../loader/image/index.ts';
import { hex } from '../args.ts';
import { IMAGE_OPTION_HELP, type Output } from '../options.ts';
import { stateDir } from '../session/state-dir.ts';
import { openHost } from '../session/open.ts';

export function infoLines(image: Image): string[] {
  const c = image.bugFrames.counts;
  return [
    `image:        ${image.path ?? image.name}`,
    `xen version:  ${formatXenVersion(image.version)} (asked of the image: xen_major/minor/extra_version)`,
    `build-id:     ${image.buildIdHex}`,
    `load range:   ${hex(image.load.start)}-${hex(image.load.end)}`,
    `text:         ${hex(image.text.start)}-${hex(image.text.end)}`,
    `symbols:      ${image.symbols.size}`,
    `ex_table:     ${image.exceptionTable.length} entries (pre-table ${image.preExceptionTable.length})`,
    `bug frames:   ${c.run_fn + c.warn + c.bug + c.assert} (run_fn ${c.run_fn}, warn ${c.warn}, bug ${c.bug}, assert ${c.assert})`,
  ];
}

export function registerInfo(program: Command, io: Output): void {
  program
    .command('info')
    .description('print the image: build-id, load range, symbols, exception-table and bug-frame counts')
    .option('--image <image>', `a fresh image instead of the persistent host's: ${IMAGE_OPTION_HELP}`)
    .option('--state <dir>', 'state directory of the persistent host (default $XLP_STATE or ./.xlp)')
    .action((o: { image?: string; state?: string }) => {
      const { machine, image } = o.image ? bootImage(o.image) : openHost(stateDir(o.state), io).host;
      try {
        infoLines(image).forEach((l) => io.out(l));
      } finally {
        machine.close();
      }
    });
}

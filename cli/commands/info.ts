import type { Command } from 'commander';
import { bootImage } from '../../loader/boot.ts';
import type { Image } from '../../loader/image/index.ts';
import { hex } from '../args.ts';
import { type Output, withImageOption } from '../options.ts';

export function infoLines(image: Image): string[] {
  const c = image.bugFrames.counts;
  return [
    `image:        ${image.path ?? image.name}`,
    `build-id:     ${image.buildIdHex}`,
    `load range:   ${hex(image.load.start)}-${hex(image.load.end)}`,
    `text:         ${hex(image.text.start)}-${hex(image.text.end)}`,
    `symbols:      ${image.symbols.size}`,
    `ex_table:     ${image.exceptionTable.length} entries (pre-table ${image.preExceptionTable.length})`,
    `bug frames:   ${c.run_fn + c.warn + c.bug + c.assert} (run_fn ${c.run_fn}, warn ${c.warn}, bug ${c.bug}, assert ${c.assert})`,
  ];
}

export function registerInfo(program: Command, io: Output): void {
  withImageOption(program.command('info'))
    .description('print the image: build-id, load range, symbols, exception-table and bug-frame counts')
    .action((o: { image: string }) => {
      const host = bootImage(o.image);
      try {
        infoLines(host.image).forEach((l) => io.out(l));
      } finally {
        host.machine.close();
      }
    });
}

import type { Image } from '../../loader/image/index.ts';
import { hex } from '../args.ts';

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

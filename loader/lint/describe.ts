// How findings name things: `symbol+0xoff`, byte strings, build-ids.
import { hex } from '../elf/errors.ts';
import type { LintImage } from './image-model.ts';

export { hex };

export const bytesHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
export const idHex = (id: Uint8Array): string => Buffer.from(id).toString('hex');

/** `name+0xoff` for image code or data, else the bare address. */
export function where(image: LintImage, address: bigint): string {
  const r = image.regionAt(address);
  if (r) return address === r.address ? r.name : `${r.name}+${hex(address - r.address)}`;
  return image.symbols.symbolize(address) ?? hex(address);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

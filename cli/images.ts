// The --image argument: a named image (builtin, debian, …) or a path; a near-miss of a name gets a suggestion.
import { existsSync, statSync } from 'node:fs';
import { NAMED_IMAGES } from '../loader/image/index.ts';
import { didYouMean } from './suggest.ts';

export const imageNames = (): string[] => Object.keys(NAMED_IMAGES);

/** `spec` unchanged if it names an image; otherwise an error that says what is accepted. */
export function checkImageName(spec: string): string {
  if (Object.hasOwn(NAMED_IMAGES, spec)) return spec;
  if (existsSync(spec) && statSync(spec).isFile()) return spec;
  const hint = didYouMean(spec, imageNames());
  const what = existsSync(spec) ? `${spec} is not a file` : `no image ${spec}`;
  throw new Error(`${what}: --image takes ${imageNames().join(', ')} or the path of a Xen xen-syms${hint ? ` (${hint})` : ''}`);
}

/** How to boot a host, for messages. */
export const BOOT_HINT = `xlp boot --image ${[...imageNames(), 'PATH'].join('|')}`;

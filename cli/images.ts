// The --image argument: `builtin`, `debian`, or a path; a near-miss of a name gets a suggestion.
import { existsSync, statSync } from 'node:fs';
import { didYouMean } from './suggest.ts';

export const IMAGE_NAMES = ['builtin', 'debian'] as const;

/** `spec` unchanged if it names an image; otherwise an error that says what is accepted. */
export function checkImageName(spec: string): string {
  if ((IMAGE_NAMES as readonly string[]).includes(spec)) return spec;
  if (existsSync(spec) && statSync(spec).isFile()) return spec;
  const hint = didYouMean(spec, IMAGE_NAMES);
  const what = existsSync(spec) ? `${spec} is not a file` : `no image ${spec}`;
  throw new Error(`${what}: --image takes builtin, debian or the path of a Xen 4.17 xen-syms${hint ? ` (${hint})` : ''}`);
}

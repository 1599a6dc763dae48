// Where `make` puts the payloads it builds for each image (guest/payloads).
import { join } from 'node:path';
import { REPO_ROOT } from '../image/paths.ts';

export type PayloadTarget = 'builtin' | 'debian' | 'debian-4.20';

export function payloadPath(target: PayloadTarget, name: string): string {
  return join(REPO_ROOT, 'build/payloads', target, `${name}.livepatch`);
}

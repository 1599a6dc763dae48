// Where `make` puts the payloads it builds for each image (guest/payloads).
import { join } from 'node:path';
import { PAYLOAD_DIR } from '../../setup/paths.ts';

export type PayloadTarget = 'builtin' | 'debian' | 'debian-4.20';

export function payloadPath(target: PayloadTarget, name: string): string {
  return join(PAYLOAD_DIR, target, `${name}.livepatch`);
}

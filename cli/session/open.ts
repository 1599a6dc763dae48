// Opening the persistent host for a verb that needs one: without a booted host, say so and how to boot, then
// boot $XLP_IMAGE or builtin as before (scripts written for xen-livepatch never run `boot`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_HINT } from '../images.ts';
import type { Output } from '../options.ts';
import { explain } from '../xen-livepatch/explain.ts';
import { Session } from './journal.ts';


export function isBooted(dir: string): boolean {
  return existsSync(join(dir, 'journal.json'));
}

export function defaultImage(): string {
  return process.env.XLP_IMAGE ?? 'builtin';
}

export function openHost(dir: string, io: Output): Session {
  if (!isBooted(dir)) explain(io, `no booted host in ${dir}: booting the ${defaultImage()} image ($XLP_IMAGE or builtin; choose with \`${BOOT_HINT}\`)`);
  return Session.open(dir, defaultImage());
}

/** The image the host in `dir` was booted with, without booting it (undefined: none booted). */
export function bootedImage(dir: string): string | undefined {
  if (!isBooted(dir)) return undefined;
  return (JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as { image?: string }).image;
}

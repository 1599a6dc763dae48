// Opening the persistent host for a verb that needs one: without a booted host, say so and how to boot, then
// boot $XLP_IMAGE or builtin as before (scripts written for xen-livepatch never run `boot`).
import { BOOT_HINT } from '../images.ts';
import type { Output } from '../options.ts';
import { explain } from '../xen-livepatch/explain.ts';
import { Session } from './session.ts';
import { inspectDir } from './state-dir.ts';
import { defaultImage, isBooted } from './view.ts';

/** The host in `dir`, opened for a command that may change it (it holds the directory's lock until close()). */
export function openHost(dir: string, io: Output): Session {
  inspectDir(dir); // a directory that is not xlp's is refused before anything is said about booting
  if (!isBooted(dir)) explain(io, `no booted host in ${dir}: booting the ${defaultImage()} image ($XLP_IMAGE or builtin; choose with \`${BOOT_HINT}\`)`);
  return Session.open(dir, { write: true, image: defaultImage() });
}

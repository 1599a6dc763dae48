// The persistent host's console for `xlp dmesg`: every line the hypervisor printed since boot, minus those a
// `dmesg --clear` already consumed (their count is kept in the state directory).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './journal.ts';
import { isBooted } from './open.ts';

const CLEARED = 'dmesg-cleared';

function cleared(dir: string): number {
  const f = join(dir, CLEARED);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) || 0 : 0;
}

/** The console since boot or the last clear; undefined when no host is booted in `dir`. */
export function readConsole(dir: string): string[] | undefined {
  if (!isBooted(dir)) return undefined;
  const s = Session.open(dir); // the replay reprints everything the host printed, in order
  try {
    return s.host.machine.console.lines.slice(cleared(dir));
  } finally {
    s.close();
  }
}

/** Forget the lines printed so far (the next dmesg starts after them). */
export function clearConsole(dir: string, shown: number): void {
  writeFileSync(join(dir, CLEARED), String(cleared(dir) + shown));
}

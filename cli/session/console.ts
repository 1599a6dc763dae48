// The persistent host's console for `xlp dmesg`: the lines the hypervisor printed since boot (the last 64 KiB,
// saved with the host), minus those a `dmesg --clear` already consumed. Read from the saved view: no guest runs.
import { clearConsole as clearSaved, viewHost } from './view.ts';

/** The console since boot or the last clear; undefined when no host is booted in `dir`. */
export function readConsole(dir: string): string[] | undefined {
  const v = viewHost(dir);
  return v && [...v.console];
}

/** Forget the first `shown` lines (those a dmesg printed; lines printed since stay). */
export function clearConsole(dir: string, shown: number): void {
  clearSaved(dir, shown);
}

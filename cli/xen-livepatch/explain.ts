// xlp's own line after a refusal: `xlp: <reason>` on stderr, with the facts the host knows (names, build-ids,
// the applied stack, the check that failed). The xen-livepatch lines before it stay exactly Xen's.
import { resolve } from 'node:path';
import { XEN_LIVEPATCH_NAME_SIZE } from '../../loader/abi.ts';
import type { ActionName, PayloadState } from '../../loader/livepatch/abi.ts';
import { Errno, type LivepatchError, errnoName } from '../../loader/livepatch/errno.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';
import { BOOT_HINT } from '../images.ts';
import type { Output } from '../options.ts';
import { didYouMean } from '../suggest.ts';

export function explain(io: Output, reason: string): void {
  if (!io.quiet) io.err(`xlp: ${reason}`);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function nameTooLong(name: string): string {
  return `the name is ${Buffer.byteLength(name)} bytes; Xen takes at most ${XEN_LIVEPATCH_NAME_SIZE - 1} (${XEN_LIVEPATCH_NAME_SIZE} with the NUL)`;
}

export function cannotOpen(file: string, errno: number): string {
  if (errno === Errno.ENOENT) return `${resolve(file)} does not exist`;
  return `cannot read ${resolve(file)} (${errnoName(errno)})`;
}

export function cannotMap(file: string, isDirectory: boolean, size: number): string {
  if (isDirectory) return `${file} is a directory; give a payload file (NAME.livepatch) in it`;
  if (size === 0) return `${file} is empty`;
  return `${file} is not a regular file`;
}

export function unsupportedFlag(verb: string, flag: string, flags: readonly string[]): string {
  return `${verb} takes ${flags.length ? `only ${flags.join(', ')}` : 'no flags'}, not ${flag}`;
}

function loaded(host: LivepatchHost): string {
  const names = host.list().map((e) => `${e.name} (${e.state})`);
  return names.length ? `loaded: ${names.join(', ')}` : 'nothing is loaded';
}

function appliedStack(host: LivepatchHost): string {
  const names = host.appliedStack.map((p) => p.name);
  return names.length ? `applied stack, bottom to top: ${names.join(', ')}` : 'nothing is applied';
}

/** Who already has this payload's build-id, when an upload is refused with EEXIST. */
function buildIdOwner(host: LivepatchHost, e: LivepatchError): string {
  const id = /build-id ([0-9a-f]+)/.exec(e.reason)?.[1];
  const owner = id && host.list().find((x) => hex(host.payload(x.name).buildId) === id);
  return owner ? ` (by ${owner.name})` : '';
}

export function uploadRefused(host: LivepatchHost, name: string, file: string, e: LivepatchError): string {
  let reason = `${file}: ${e.reason}`;
  if (e.errno === Errno.EEXIST) reason += buildIdOwner(host, e);
  if (/does not match the hypervisor build-id/.test(e.reason)) {
    reason += `; the host runs ${host.image.path ?? host.image.name}: boot the image ${name} was built for (${BOOT_HINT})`;
  }
  return reason;
}

export function noStatus(host: LivepatchHost, name: string, e: LivepatchError): string {
  if (e.errno !== Errno.ENOENT) return e.reason;
  const names = host.list().map((x) => x.name);
  const hint = didYouMean(name, names);
  return `no payload named ${JSON.stringify(name)}; ${loaded(host)}${hint ? ` (${hint})` : ''}`;
}

export function pending(host: LivepatchHost, name: string): string {
  const p = host.pending;
  return p ? `${p.action} of ${p.payload} is pending: it runs when the guest reaches its idle loop` : `${name}'s last action did not complete`;
}

export function wrongState(name: string, verb: string, state: PayloadState): string {
  if (verb === 'unload' && state === 'APPLIED') return `${name} is applied: revert it before unloading`;
  return `${name} is ${state}; ${verb} needs it ${verb === 'revert' ? 'APPLIED' : 'CHECKED'}`;
}

export function actionRefused(host: LivepatchHost, e: LivepatchError): string {
  if (e.errno === Errno.EBUSY || /depends on/.test(e.reason)) return `${e.reason}; ${appliedStack(host)}`;
  return e.reason;
}

/** What the console said during the action, without the closing "finished ... with rc" line. */
function consoleSays(lines: readonly string[]): string {
  const said = lines.filter((l) => !/ finished [A-Z]+ with rc=/.test(l)).slice(-2);
  return said.length ? `; the console says: ${said.map((l) => JSON.stringify(l)).join(', ')}` : '';
}

export function actionFailed(host: LivepatchHost, name: string, cmd: ActionName, rc: number, console: readonly string[]): string {
  const p = host.list().some((x) => x.name === name) ? host.payload(name) : undefined;
  if (cmd === 'APPLY' && p?.reverted && !p.safeToReapply && rc === -Errno.EINVAL) {
    return `${name} was applied and reverted before and has writable data (.data/.bss), so Xen refuses to re-apply it (rc=-EINVAL): unload and upload it again`;
  }
  return `${name}: ${cmd} ran at the quiescent point and left rc=${rc} (${errnoName(rc)})${consoleSays(console)}`;
}

export function wrongStateAfter(name: string, cmd: ActionName, state: PayloadState | undefined, console: readonly string[]): string {
  return `${cmd} of ${name} completed but left it ${state ?? 'unknown'}${consoleSays(console)}`;
}

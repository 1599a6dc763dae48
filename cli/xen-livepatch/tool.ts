// The verbs of tools/misc/xen-livepatch.c (4.17) on an xlp session: same texts on stdout/stderr, same return
// values (an errno, -1, or 0), so scripts written for xen-livepatch run unchanged with xlp in its place.
// Where the tool sleeps 60 ms for the hypervisor, we let the guest reach its idle loop instead.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { PayloadState } from '../../loader/livepatch/abi.ts';
import { Errno, LivepatchError, strerror } from '../../loader/livepatch/errno.ts';
import type { Output } from '../options.ts';
import type { Session } from '../session/journal.ts';

const NAME_SIZE = 128;
const EAGAIN = Errno.EAGAIN;

interface ActionSpec {
  allow: PayloadState;
  /** State after success; `undefined` for unload (the payload is gone). */
  expected: PayloadState | undefined;
  verb: string;
  cmd: 'APPLY' | 'REVERT' | 'REPLACE' | 'UNLOAD';
}

export const ACTIONS: Record<'apply' | 'revert' | 'replace' | 'unload', ActionSpec> = {
  apply: { allow: 'CHECKED', expected: 'APPLIED', verb: 'Applying', cmd: 'APPLY' },
  unload: { allow: 'CHECKED', expected: undefined, verb: 'Unloading', cmd: 'UNLOAD' },
  revert: { allow: 'APPLIED', expected: 'CHECKED', verb: 'Reverting', cmd: 'REVERT' },
  replace: { allow: 'CHECKED', expected: 'APPLIED', verb: 'Replacing all live patches with', cmd: 'REPLACE' },
};

/** stdout writes without a newline, as printf("... ") does before "completed". */
class Line {
  private buf = '';
  constructor(private readonly io: Output) {}
  print(s: string): void {
    this.buf += s;
    const lines = this.buf.split('\n');
    this.buf = lines.pop()!;
    for (const l of lines) this.io.out(l);
  }
  err(s: string): void {
    this.flush();
    for (const l of s.replace(/\n$/, '').split('\n')) this.io.err(l);
  }
  flush(): void {
    if (this.buf) this.io.out(this.buf);
    this.buf = '';
  }
}

function checkName(name: string, line: Line): boolean {
  if (Buffer.byteLength(name) >= NAME_SIZE) {
    line.err(`ID must be no more than ${NAME_SIZE - 1} characters.\n`);
    return false;
  }
  return true;
}

export function listFunc(s: Session, io: Output): number {
  const entries = s.host.list();
  if (!entries.length) {
    io.out('Nothing to list');
    return 0;
  }
  io.out(' ID                                     | status     | metadata');
  io.out('----------------------------------------+------------+---------------');
  for (const e of entries) {
    const status = e.rc ? ` (${-e.rc}, ${strerror(-e.rc)})    | ` : '    | ';
    io.out(`${e.name.slice(0, 40).padEnd(40)}| ${e.state}${status}${e.metadata.join(';')}`);
  }
  return 0;
}

export function uploadFunc(s: Session, io: Output, name: string, file: string): number {
  const line = new Line(io);
  if (!checkName(name, line)) return Errno.EINVAL;
  if (!existsSync(file) || !statSync(file).isFile()) {
    line.err(`Could not open ${file}.\nError ${Errno.ENOENT}: ${strerror(Errno.ENOENT)}\n`);
    return Errno.ENOENT;
  }
  line.print(`Uploading ${file}... `);
  try {
    s.upload(name, readFileSync(file));
  } catch (e) {
    if (!(e instanceof LivepatchError)) throw e;
    line.print('failed\n');
    line.err(`Error ${e.errno}: ${strerror(e.errno)}\n`);
    return e.errno;
  }
  line.print('completed\n');
  return 0;
}

function status(s: Session, name: string): { state: PayloadState; rc: number } | number {
  try {
    return s.host.get(name);
  } catch (e) {
    if (e instanceof LivepatchError) return e.errno;
    throw e;
  }
}

export function actionFunc(s: Session, io: Output, which: keyof typeof ACTIONS, name: string, nodeps = false): number {
  const spec = ACTIONS[which];
  const line = new Line(io);
  if (!checkName(name, line)) return Errno.EINVAL;
  const before = status(s, name);
  if (typeof before === 'number') {
    line.err(`Failed to get status of ${name}.\nError ${before}: ${strerror(before)}\n`);
    return before;
  }
  if (before.rc === -EAGAIN) {
    line.err(`Cannot execute ${which}.\nOperation already in progress.\n`);
    return EAGAIN;
  }
  if (before.state === spec.expected) {
    line.print('No action needed.\n');
    return 0;
  }
  if (before.state !== spec.allow) {
    line.err(`${name} is in the wrong state.\nCurrent state: ${before.state}\nExpected state: ${spec.allow}\n`);
    return -1;
  }
  line.print(`${spec.verb} ${name}... `);
  try {
    s.action(name, spec.cmd, { nodeps, timeoutNs: 30_000_000 });
  } catch (e) {
    if (!(e instanceof LivepatchError)) throw e;
    line.print('failed\n');
    line.err(`Error ${e.errno}: ${strerror(e.errno)}\n`);
    return e.errno;
  }
  if (spec.cmd !== 'UNLOAD') s.idle(); // the tool sleeps; the guest reaches its idle loop
  const after = status(s, name);
  let rc = typeof after === 'number' ? -after : after.rc;
  if (rc === -EAGAIN) {
    line.print('failed\n');
    line.err("Operation didn't complete.\n");
    return EAGAIN;
  }
  if (spec.expected === undefined && rc === -Errno.ENOENT) rc = 0; // unloaded: gone
  if (rc < 0) {
    line.print('failed\n');
    line.err(`Error ${-rc}: ${strerror(-rc)}\n`);
    return -rc;
  }
  const state = typeof after === 'number' ? undefined : after.state;
  if (state !== spec.expected) {
    line.print(`${name}: in wrong state (${state}), expected (${spec.expected})\n`);
    return -1;
  }
  line.print('completed\n');
  return 0;
}

/** `load FILE`: upload under the file's base name (last extension dropped), apply, and unload if that fails. */
export function loadFunc(s: Session, io: Output, file: string, nodeps = false): number {
  const base = basename(file);
  const dot = base.lastIndexOf('.');
  const name = dot > 0 ? base.slice(0, dot) : base;
  let rc = uploadFunc(s, io, name, file);
  if (rc) return rc;
  rc = actionFunc(s, io, 'apply', name, nodeps);
  if (rc) actionFunc(s, io, 'unload', name);
  return rc;
}

/** main()'s mapping: retryable errors exit 2, any other failure 1. */
export function exitCode(ret: number): number {
  if (ret === 0) return 0;
  return ret === Errno.EAGAIN || ret === Errno.EBUSY ? 2 : 1;
}

/** 4.17 matches verbs by prefix, main options first: `l` is list, `lo` load, `re` revert. */
export const VERB_ORDER = ['help', 'list', 'upload', 'load', 'apply', 'revert', 'unload', 'replace'] as const;

export function expandVerb(arg: string): string | undefined {
  if (!arg || arg.startsWith('-')) return undefined;
  return VERB_ORDER.find((v) => v.startsWith(arg));
}

// The verbs of tools/misc/xen-livepatch.c (4.17) on an xlp session: same texts on stdout/stderr, same return
// values (an errno, -1, or 0), so scripts written for xen-livepatch run unchanged with xlp in its place.
// Where the tool sleeps 60 ms for the hypervisor, we let the guest reach its idle loop instead. After the
// tool's own lines, a refusal gets one `xlp: <reason>` line on stderr (explain.ts) unless --quiet.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { XEN_LIVEPATCH_NAME_SIZE } from '../../loader/abi.ts';
import type { PayloadState } from '../../loader/livepatch/abi.ts';
import { Errno, LivepatchError, strerror } from '../../loader/livepatch/errno.ts';
import type { Output } from '../options.ts';
import type { ListEntry } from '../../loader/livepatch/host.ts';
import type { Session } from '../session/session.ts';
import * as why from './explain.ts';

const EAGAIN = Errno.EAGAIN;

/** What a verb works with: where it prints, how it explains, and the host (opened only once it is needed). */
export interface ToolContext {
  io: Output;
  session(): Session;
  /** LIST from the saved host without running it (cheap), when the caller has it; else the session's host. */
  list?(): ListEntry[];
}

type ActionVerb = 'apply' | 'revert' | 'replace' | 'unload';

interface ActionSpec {
  allow: PayloadState;
  /** State after success; `undefined` for unload (the payload is gone). */
  expected: PayloadState | undefined;
  verb: string;
  cmd: 'APPLY' | 'REVERT' | 'REPLACE' | 'UNLOAD';
  /** The command flags this action takes (flag_options[]). */
  flags: readonly string[];
}

export const ACTIONS: Record<ActionVerb, ActionSpec> = {
  apply: { allow: 'CHECKED', expected: 'APPLIED', verb: 'Applying', cmd: 'APPLY', flags: ['--nodeps'] },
  revert: { allow: 'APPLIED', expected: 'CHECKED', verb: 'Reverting', cmd: 'REVERT', flags: [] },
  unload: { allow: 'CHECKED', expected: undefined, verb: 'Unloading', cmd: 'UNLOAD', flags: [] },
  replace: { allow: 'CHECKED', expected: 'APPLIED', verb: 'Replacing all live patches with', cmd: 'REPLACE', flags: [] },
};

/** show_help() of xen-livepatch 4.17, printed on stderr. */
export const XEN_LIVEPATCH_HELP = `xen-livepatch: live patching tool
Usage: xen-livepatch <command> [args] [command-flags]
 <name> An unique name of payload. Up to ${XEN_LIVEPATCH_NAME_SIZE} characters.
Commands:
  help                   display this help
  upload <name> <file>   upload file <file> with <name> name
  list                   list payloads uploaded.
  apply <name> [flags]   apply <name> patch.
    Supported flags:
      --nodeps           Disable inter-module buildid dependency check.
                         Check only against hypervisor buildid.
  revert <name>          revert name <name> patch.
  replace <name>         apply <name> patch and revert all others.
  unload <name>          unload name <name> patch.
  load <file> [flags]    upload and apply <file> with name as the <file> name
    Supported flags:
      --nodeps           Disable inter-module buildid dependency check.
                         Check only against hypervisor buildid.`;

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

function showHelp(t: ToolContext, reason: string): number {
  new Line(t.io).err(XEN_LIVEPATCH_HELP);
  why.explain(t.io, reason);
  return -1;
}

/** get_name(): the tool refuses only names longer than 128; the hypervisor checks the rest. */
function getName(t: ToolContext, name: string): boolean {
  if (Buffer.byteLength(name) <= XEN_LIVEPATCH_NAME_SIZE) return true;
  new Line(t.io).err(`ID must be no more than ${XEN_LIVEPATCH_NAME_SIZE} characters.\n`);
  why.explain(t.io, why.nameTooLong(name));
  return false;
}

export function listFunc(t: ToolContext, args: string[]): number {
  if (args.length) return showHelp(t, 'list takes no arguments');
  const entries = t.list ? t.list() : t.session().host.list();
  if (!entries.length) {
    t.io.out('Nothing to list');
    return 0;
  }
  t.io.out(' ID                                     | status     | metadata');
  t.io.out('----------------------------------------+------------+---------------');
  for (const e of entries) {
    // printf("%-40.*s| %s", len, name, state): padded to 40, never truncated.
    const status = e.rc ? ` (${-e.rc}, ${strerror(-e.rc)})    | ` : '    | ';
    t.io.out(`${e.name.padEnd(40)}| ${e.state}${status}${e.metadata.join(';')}`);
  }
  return 0;
}

/** open(), fstat() and mmap() as the tool does them: the errno each would give, or the bytes. */
function readPayloadFile(t: ToolContext, file: string, line: Line): Buffer | number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const errno = Math.abs((e as NodeJS.ErrnoException).errno ?? Errno.ENOENT);
    line.err(`Could not open ${file}.\nError ${errno}: ${strerror(errno)}\n`);
    why.explain(t.io, why.cannotOpen(file, errno));
    return errno;
  }
  try {
    const st = fstatSync(fd);
    // mmap() of a directory is ENODEV, of an empty file EINVAL.
    const mapErrno = st.isDirectory() ? 19 : st.size === 0 ? Errno.EINVAL : st.isFile() ? 0 : 19;
    if (mapErrno) {
      line.err(`Could not map ${file}.\nError ${mapErrno}: ${strerror(mapErrno)}\n`);
      why.explain(t.io, why.cannotMap(file, st.isDirectory(), st.size));
      return mapErrno;
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function uploadFunc(t: ToolContext, args: string[]): number {
  if (args.length !== 2) return showHelp(t, `upload takes <name> <file> (got ${args.length} arguments)`);
  const [name, file] = args as [string, string];
  const line = new Line(t.io);
  if (!getName(t, name)) return Errno.EINVAL;
  const bytes = readPayloadFile(t, file, line);
  if (typeof bytes === 'number') return bytes;
  const s = t.session();
  line.print(`Uploading ${file}... `);
  try {
    s.upload(name, bytes);
  } catch (e) {
    if (!(e instanceof LivepatchError)) throw e;
    line.print('failed\n');
    line.err(`Error ${e.errno}: ${strerror(e.errno)}\n`);
    why.explain(t.io, why.uploadRefused(s.host, name, file, e));
    return e.errno;
  }
  line.print('completed\n');
  return 0;
}

function status(s: Session, name: string): { state: PayloadState; rc: number } | LivepatchError {
  try {
    return s.host.get(name);
  } catch (e) {
    if (e instanceof LivepatchError) return e;
    throw e;
  }
}

/** get_flags(): every argument after the name must be one of the action's flags. */
function getFlags(t: ToolContext, spec: ActionSpec, verb: ActionVerb, flags: string[]): boolean {
  const bad = flags.find((f) => !spec.flags.includes(f));
  if (bad === undefined) return true;
  new Line(t.io).err(`Unsupported flag: ${bad}.\n`);
  why.explain(t.io, why.unsupportedFlag(verb, bad, spec.flags));
  return false;
}

export function actionFunc(t: ToolContext, which: ActionVerb, args: string[]): number {
  const spec = ACTIONS[which];
  if (args.length < 1) return showHelp(t, `${which} takes <name>${spec.flags.length ? ' [flags]' : ''}`);
  const [name, ...flags] = args as [string, ...string[]];
  const line = new Line(t.io);
  if (!getName(t, name)) return Errno.EINVAL;
  if (!getFlags(t, spec, which, flags)) return Errno.EINVAL;
  const s = t.session();
  const before = status(s, name);
  if (before instanceof LivepatchError) {
    line.err(`Failed to get status of ${name}.\nError ${before.errno}: ${strerror(before.errno)}\n`);
    why.explain(t.io, why.noStatus(s.host, name, before));
    return before.errno;
  }
  if (before.rc === -EAGAIN) {
    line.err(`Cannot execute ${which}.\nOperation already in progress.\n`);
    why.explain(t.io, why.pending(s.host, name));
    return EAGAIN;
  }
  if (before.state === spec.expected) {
    line.print('No action needed.\n');
    return 0;
  }
  if (before.state !== spec.allow) {
    line.err(`${name} is in the wrong state.\nCurrent state: ${before.state}\nExpected state: ${spec.allow}\n`);
    why.explain(t.io, why.wrongState(name, which, before.state));
    return -1;
  }
  line.print(`${spec.verb} ${name}... `);
  const mark = s.host.machine.console.lines.length;
  try {
    s.action(name, spec.cmd, { nodeps: flags.includes('--nodeps'), timeoutNs: 30_000_000 });
  } catch (e) {
    if (!(e instanceof LivepatchError)) throw e;
    line.print('failed\n');
    line.err(`Error ${e.errno}: ${strerror(e.errno)}\n`);
    why.explain(t.io, why.actionRefused(s.host, e));
    return e.errno;
  }
  if (spec.cmd !== 'UNLOAD') s.idle(); // the tool sleeps; the guest reaches its idle loop
  const after = status(s, name);
  let rc = after.rc;
  if (rc === -EAGAIN) {
    line.print('failed\n');
    line.err("Operation didn't complete.\n");
    why.explain(t.io, why.pending(s.host, name));
    return EAGAIN;
  }
  if (spec.expected === undefined && rc === -Errno.ENOENT) rc = 0; // unloaded: gone
  const console = s.host.machine.console.lines.slice(mark);
  if (rc < 0) {
    line.print('failed\n');
    line.err(`Error ${-rc}: ${strerror(-rc)}\n`);
    why.explain(t.io, why.actionFailed(s.host, name, spec.cmd, rc, console));
    return -rc;
  }
  const state = after instanceof LivepatchError ? undefined : after.state;
  if (state !== spec.expected) {
    line.print('failed\n');
    line.err(`${name} is in the wrong state.\nCurrent state: ${state ?? 'unknown'}\nExpected state: ${spec.expected ?? 'unknown'}\n`);
    why.explain(t.io, why.wrongStateAfter(name, spec.cmd, state, console));
    return -1;
  }
  line.print('completed\n');
  return 0;
}

/** The name `load FILE` gives: the base name up to its last `.`, even a leading one (`.x` → ``). */
export function loadName(file: string): string {
  const base = basename(file);
  const dot = base.lastIndexOf('.');
  return dot >= 0 ? base.slice(0, dot) : base;
}

/** `load FILE [flags]`: upload under the file's base name, apply, and unload if that fails. */
export function loadFunc(t: ToolContext, args: string[]): number {
  if (args.length < 1) return showHelp(t, 'load takes <file> [flags]');
  const [file, ...flags] = args as [string, ...string[]];
  const name = loadName(file);
  let rc = uploadFunc(t, [name, file]);
  if (rc) return rc;
  rc = actionFunc(t, 'apply', [name, ...flags]);
  if (rc) actionFunc(t, 'unload', [name]);
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

// A persistent emulated host: the state directory holds the image spec, the payload files uploaded, and the
// journal of every host operation. Emulation is deterministic, so each `xlp` command boots the image and
// replays the journal to reach exactly the state the previous command left (checked against the recorded
// stateHash), then appends its own operations. This keeps the state small and every step reproducible.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CallArg } from '../../emulator/cpu/arguments.ts';
import { formatCallArg, parseCallArg } from '../call-args.ts';
import type { CallResult } from '../../emulator/cpu/cpu.ts';
import { bootImage } from '../../loader/boot.ts';
import { resolveImage } from '../../loader/image/index.ts';
import type { ActionName } from '../../loader/livepatch/abi.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { type ActionOptions, LivepatchHost } from '../../loader/livepatch/host.ts';

export type JournalOp =
  | { op: 'upload'; name: string; blob: string }
  | { op: 'action'; name: string; action: ActionName; nodeps?: boolean }
  | { op: 'idle' }
  /** Arguments in their text form (cli/call-args.ts). */
  | { op: 'call'; symbol: string; args: string[] };

interface JournalEntry {
  entry: JournalOp;
  /** How the operation failed (errno name, or the error's class for a fault): replay must fail the same way. */
  errno?: string;
}

const outcome = (e: unknown): string => (e instanceof LivepatchError ? e.errnoName : (e as Error).name);

interface JournalFile {
  version: 1;
  image: string;
  entries: JournalEntry[];
  stateHash: string;
}

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

export function stateDir(option?: string): string {
  return resolve(option ?? process.env.XLP_STATE ?? '.xlp');
}

export class Session {
  private constructor(
    readonly dir: string,
    readonly image: string,
    readonly host: LivepatchHost,
    private readonly entries: JournalEntry[],
  ) {}

  get booted(): boolean {
    return existsSync(join(this.dir, 'journal.json'));
  }

  /** A fresh host in `dir`, replacing any state there (a reboot). */
  static boot(dir: string, image: string): Session {
    const path = image === 'builtin' || image === 'debian' ? image : resolve(resolveImage(image));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'blobs'), { recursive: true });
    const s = new Session(dir, path, new LivepatchHost(bootImage(path)), []);
    s.save();
    return s;
  }

  /** The host as the last command left it; boots `image` first when `dir` holds no host yet. */
  static open(dir: string, image = process.env.XLP_IMAGE ?? 'builtin'): Session {
    const file = join(dir, 'journal.json');
    if (!existsSync(file)) return Session.boot(dir, image);
    const j = JSON.parse(readFileSync(file, 'utf8')) as JournalFile;
    if (j.version !== 1) throw new SessionError(`${file}: unknown journal version ${String(j.version)}`);
    const s = new Session(dir, j.image, new LivepatchHost(bootImage(j.image)), []);
    for (const e of j.entries) {
      let errno: string | undefined;
      try {
        s.record(e.entry);
      } catch (err) {
        errno = outcome(err);
      }
      if (errno !== e.errno) {
        throw new SessionError(`${file}: replaying ${JSON.stringify(e.entry)} gave ${errno ?? 'success'}, not ${e.errno ?? 'success'} (did the image change?)`);
      }
    }
    if (s.host.stateHash() !== j.stateHash) {
      throw new SessionError(`${file}: the replayed host differs from the saved one (did ${j.image} or a payload change?); run \`xlp reset\``);
    }
    return s;
  }

  static reset(dir: string): boolean {
    const had = existsSync(dir);
    rmSync(dir, { recursive: true, force: true });
    return had;
  }

  /** The one place an operation is carried out, live and on replay alike. */
  private perform(op: JournalOp): CallResult | undefined {
    switch (op.op) {
      case 'upload':
        this.host.upload(op.name, readFileSync(join(this.dir, 'blobs', op.blob)));
        return undefined;
      case 'action':
        this.host.action(op.name, op.action, { nodeps: !!op.nodeps });
        return undefined;
      case 'idle':
        this.host.idle();
        return undefined;
      case 'call':
        return this.host.machine.callWith(this.host.image.symbol(op.symbol), op.args.map(parseCallArg));
    }
  }

  /** Carry out one operation and journal how it ended; its error, if any, is rethrown for the caller to report. */
  private record(entry: JournalOp): CallResult | undefined {
    try {
      const r = this.perform(entry);
      this.entries.push({ entry });
      return r;
    } catch (e) {
      this.entries.push({ entry, errno: outcome(e) });
      throw e;
    }
  }

  upload(name: string, bytes: Uint8Array): void {
    const blob = createHash('sha256').update(bytes).digest('hex');
    const path = join(this.dir, 'blobs', blob);
    if (!existsSync(path)) writeFileSync(path, bytes);
    this.record({ op: 'upload', name, blob });
  }

  action(name: string, action: ActionName, opts: ActionOptions = {}): void {
    this.record({ op: 'action', name, action, ...(opts.nodeps ? { nodeps: true } : {}) });
  }

  idle(): void {
    this.record({ op: 'idle' });
  }

  call(symbol: string, args: readonly CallArg[]): CallResult {
    return this.record({ op: 'call', symbol, args: args.map(formatCallArg) })!;
  }

  /** Persist the journal with the state it leads to. A dead host is saved too: replay reproduces its death. */
  save(): void {
    const j: JournalFile = { version: 1, image: this.image, entries: this.entries, stateHash: this.host.stateHash() };
    writeFileSync(join(this.dir, 'journal.json'), `${JSON.stringify(j, null, 1)}\n`);
  }

  close(): void {
    this.host.machine.close();
  }
}

// Where the persistent host lives, and what in that directory is xlp's. xlp only ever writes, replaces or
// removes its own files (the marker, the host state, temporary files), in a directory that carries
// its marker: a directory without it is used only while empty, a file or a non-empty foreign directory never.
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

/**
 * The marker xlp writes first into a state directory, and removes last; its text says whether xlp created the
 * directory. It is also the file the directory's lock is taken on (lock.ts).
 */
export const MARKER = 'xlp-state';
const MARKER_TEXT = { created: 'xlp state directory (created by xlp)\n', adopted: 'xlp state directory (was empty; adopted by xlp)\n' };
/** The saved host (one file, replaced atomically). */
export const HOST_FILE = 'host';
/** Prefix of a host file being written; one left behind was written by a process that died. */
export const TMP_PREFIX = 'host.tmp-';
const MARKER_TMP = `${MARKER}.tmp-`;

const isTemporary = (name: string): boolean => name.startsWith(TMP_PREFIX) || name.startsWith(MARKER_TMP);

/** The state directory: --state, else $XLP_STATE, else ./.xlp. An empty value is refused, not taken as `.`. */
export function stateDir(option?: string): string {
  if (option === '') throw new SessionError('--state is empty: give the state directory');
  const env = process.env.XLP_STATE;
  if (option === undefined && env === '') throw new SessionError('XLP_STATE is set but empty: unset it (default ./.xlp) or give a directory');
  return resolve(option ?? env ?? '.xlp');
}

export type DirStatus = 'missing' | 'empty' | 'ours';

/** What `dir` is; a file, or a non-empty directory without xlp's marker, is an error (nothing is touched). */
export function inspectDir(dir: string): DirStatus {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new SessionError(`cannot use ${dir} as the state directory: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new SessionError(`${dir} is not a directory: give a directory for the host's state (--state or XLP_STATE)`);
  if (markerKind(dir)) return 'ours';
  const names = readdirSync(dir);
  if (names.every(isTemporary)) return 'empty'; // nothing, or what a claim killed half-way left
  
  throw new SessionError(
    `${dir} is not an xlp state directory (no ${MARKER} file) and is not empty: xlp leaves it alone; give a new or empty directory`,
  );
}

function markerKind(dir: string): keyof typeof MARKER_TEXT | undefined {
  const path = join(dir, MARKER);
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  return text === MARKER_TEXT.created ? 'created' : text === MARKER_TEXT.adopted ? 'adopted' : undefined;
}

/** Make `dir` a state directory: create it, or mark an empty one. Concurrent claims of one directory agree. */
export function claimDir(dir: string): void {
  const status = inspectDir(dir);
  if (status === 'ours') return;
  const created = status === 'missing';
  if (created) mkdirSync(dir, { recursive: true });
  // Written aside and linked into place: no reader ever sees a marker without its text.
  const tmp = join(dir, `${MARKER_TMP}${process.pid}`);
  for (let linked = false; !linked; ) {
    writeFileSync(tmp, created ? MARKER_TEXT.created : MARKER_TEXT.adopted);
    try {
      linkSync(tmp, join(dir, MARKER));
      linked = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') linked = true; // claimed by another process meanwhile
      else if (code !== 'ENOENT') throw e; // ENOENT: a concurrent reset took our temporary file; again
    } finally {
      rmQuiet(tmp);
    }
  }
  inspectDir(dir); // still ours (or refused, if something else appeared)
}

/** Temporary host files a dead writer left (call with the lock held: no live writer has one). */
export function removeLeftovers(dir: string): void {
  for (const n of readdirSync(dir)) if (n.startsWith(TMP_PREFIX)) rmQuiet(join(dir, n));
}

function rmQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Remove xlp's own files from `dir`, the marker last (a reset killed half-way leaves a directory that is still
 * xlp's), then the directory itself if xlp created it and nothing else is in it. Call with the lock held.
 */
export function removeOwnFiles(dir: string): void {
  const created = markerKind(dir) === 'created';
  for (const n of readdirSync(dir)) if (n === HOST_FILE || isTemporary(n)) rmQuiet(join(dir, n));
  unlinkSync(join(dir, MARKER));
  if (!created) return;
  try {
    rmdirSync(dir);
  } catch (e) {
    if (!['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e; // claimed again meanwhile
  }
}

// The saved host: one file, replaced atomically (written to a temporary file, fsync'd, renamed), so a reader
// sees a whole old or a whole new state whatever happens to the writer. Layout:
//   "XLPHOST\n", u32 format, u32 crc32 of the rest, then three sections (u32 length + bytes each):
//   the view (what `list` and `dmesg` need: JSON), the host (machine and loader state: JSON with bigints and
//   byte arrays tagged), and the guest pages that differ from the freshly booted image (deflate).
// A damaged file (empty, truncated, altered, an unknown format) is reported by name with the way out.
import type { XenVersion } from '../../loader/image/version.ts';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ListEntry } from '../../loader/livepatch/host.ts';
import { HOST_FILE, SessionError, TMP_PREFIX } from './state-dir.ts';

const MAGIC = Buffer.from('XLPHOST\n', 'latin1');
export const FORMAT = 1;
const PREAMBLE = MAGIC.length + 8;

/** What commands that do not run the guest need. */
export interface SavedView {
  /** The image as given to boot (`builtin`, `debian`, or an absolute path). */
  image: string;
  buildId: string;
  /** The Xen version the image reports (Image.version); absent in states saved before it was kept. */
  xen?: XenVersion;
  /** Why the hypervisor died; a dead host refuses every command but boot and reset. */
  dead?: string;
  list: ListEntry[];
  /** The hypervisor console, oldest line first (bounded like Xen's console ring). */
  console: string[];
}

/** The machine beyond its RAM: allocator, host scratch pointer, and which frames are saved (no CPU state: every call starts from one defined state). */
export interface SavedMachine {
  alloc: { next: number; free: number[] };
  scratchNext: bigint;
  /** Physical frame addresses whose bytes follow in the pages section, in order. */
  frames: number[];
}

export interface SavedHost {
  /** LivepatchHost.stateChecksum() of the host saved: a rebuilt host must give the same. */
  checksum?: string;
  /** LivepatchHost.stateHash(), in files written before the checksum (read, never written now). */
  stateHash?: string;
  machine: SavedMachine;
  /** LivepatchHost.record(), checked shallowly here (the checksum guards the rest). */
  record: unknown;
}

export interface SavedState {
  view: SavedView;
  host: SavedHost;
  /** The frames' bytes, 4 KiB each. */
  pages: Buffer;
}

const tagged = function (this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === 'bigint') return { $n: raw.toString() };
  if (raw instanceof Uint8Array) return { $b: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  return value;
};

function untag(_key: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$n === 'string') return BigInt(o.$n);
    if (typeof o.$b === 'string') return new Uint8Array(Buffer.from(o.$b, 'base64'));
  }
  return v;
}

function section(b: Buffer): Buffer[] {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return [len, b];
}

export function encodeState(s: SavedState): Buffer {
  const body = Buffer.concat([
    ...section(Buffer.from(JSON.stringify(s.view))),
    ...section(Buffer.from(JSON.stringify(s.host, tagged))),
    ...section(deflateRawSync(s.pages, { level: 1 })),
  ]);
  const head = Buffer.alloc(PREAMBLE);
  MAGIC.copy(head);
  head.writeUInt32LE(FORMAT, MAGIC.length);
  head.writeUInt32LE(crc32(body), MAGIC.length + 4);
  return Buffer.concat([head, body]);
}

/**
 * Would saving `next` write what `loaded` (read from the host file) already holds? Everything but the checksum
 * is compared; it is a function of the rest. A command that changed nothing (a call that left the
 * same bytes, a refused action) then writes nothing.
 */
export function sameState(loaded: SavedState, next: Omit<SavedState, 'host'> & { host: Omit<SavedHost, 'stateHash' | 'checksum'> }): boolean {
  const { stateHash: _, checksum: __, ...host } = loaded.host;
  return loaded.pages.equals(next.pages) &&
    JSON.stringify(loaded.view) === JSON.stringify(next.view) &&
    JSON.stringify(host, tagged) === JSON.stringify(next.host, tagged);
}

/** Write the host file of `dir` atomically (the caller holds the lock). */
export function writeState(dir: string, s: SavedState): void {
  const tmp = join(dir, `${TMP_PREFIX}${process.pid}`);
  const fd = openSync(tmp, 'w');
  try {
    const data = encodeState(s);
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, HOST_FILE));
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d); // the rename itself
  } finally {
    closeSync(d);
  }
}

const RESET = 'run `xlp reset` (or `xlp boot`) to start a new host there';

export const damagedError = (file: string, why: string): SessionError => new SessionError(`the saved host ${file} is damaged (${why}): ${RESET}`);

/** The saved state of `dir`, undefined when it has none; `full` false reads only the view. */
export function readState(dir: string, full: true): SavedState | undefined;
export function readState(dir: string, full: false): Pick<SavedState, 'view'> | undefined;
export function readState(dir: string, full: boolean): Partial<SavedState> | undefined {
  const file = join(dir, HOST_FILE);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SessionError(`cannot read the saved host ${file}: ${(e as Error).message}`);
  }
  const damaged = (why: string): SessionError => damagedError(file, why);
  if (!data.length) throw damaged('empty file');
  if (data.length < PREAMBLE || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    if (MAGIC.subarray(0, data.length).equals(data.subarray(0, MAGIC.length))) throw damaged('truncated');
    throw damaged('not an xlp host state');
  }
  const format = data.readUInt32LE(MAGIC.length);
  if (format !== FORMAT) {
    throw new SessionError(`the saved host ${file} has format ${format}, this xlp reads format ${FORMAT}: ${RESET}`);
  }
  if (crc32(data.subarray(PREAMBLE)) !== data.readUInt32LE(MAGIC.length + 4)) throw damaged('truncated or altered: checksum mismatch');
  const parts: Buffer[] = [];
  for (let off = PREAMBLE; parts.length < 3; ) {
    if (off + 4 > data.length) throw damaged('a section is missing');
    const len = data.readUInt32LE(off);
    if (off + 4 + len > data.length) throw damaged('a section is cut short');
    parts.push(data.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  const json = (b: Buffer, what: string, reviver?: (k: string, v: unknown) => unknown): unknown => {
    try {
      return JSON.parse(b.toString('utf8'), reviver);
    } catch {
      throw damaged(`its ${what} is not valid JSON`);
    }
  };
  const view = checkView(json(parts[0]!, 'view'), damaged);
  if (!full) return { view };
  const host = checkHost(json(parts[1]!, 'host', untag), damaged);
  let pages: Buffer;
  try {
    pages = inflateRawSync(parts[2]!);
  } catch {
    throw damaged('its guest pages do not decompress');
  }
  if (pages.length !== host.machine.frames.length * 4096) throw damaged('the guest pages do not match their list');
  return { view, host, pages };
}

type Damaged = (why: string) => SessionError;

function field(o: unknown, name: string, type: 'string' | 'number' | 'bigint' | 'object' | 'array', damaged: Damaged): unknown {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[name] : undefined;
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? !!v && typeof v === 'object' : typeof v === type;
  if (!ok) throw damaged(`field ${name} is missing or not ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}`);
  return v;
}

function checkView(v: unknown, damaged: Damaged): SavedView {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw damaged('its view is not an object');
  field(v, 'image', 'string', damaged);
  field(v, 'buildId', 'string', damaged);
  const list = field(v, 'list', 'array', damaged) as unknown[];
  for (const e of list) {
    field(e, 'name', 'string', damaged);
    field(e, 'state', 'string', damaged);
    field(e, 'rc', 'number', damaged);
    field(e, 'metadata', 'array', damaged);
  }
  const lines = field(v, 'console', 'array', damaged) as unknown[];
  if (lines.some((l) => typeof l !== 'string')) throw damaged('field console holds a non-string');
  const xen = (v as { xen?: unknown }).xen;
  if (xen !== undefined) for (const k of ['major', 'minor', 'point'] as const) field(xen, k, 'number', damaged);
  const dead = (v as { dead?: unknown }).dead;
  if (dead !== undefined && typeof dead !== 'string') throw damaged('field dead is not a string');
  return v as SavedView;
}

function checkHost(h: unknown, damaged: Damaged): SavedHost {
  const check = h && typeof h === 'object' ? h as Record<string, unknown> : {};
  if (typeof check.checksum !== 'string' && typeof check.stateHash !== 'string') throw damaged('field checksum is missing or not a string');
  const m = field(h, 'machine', 'object', damaged);
  const alloc = field(m, 'alloc', 'object', damaged);
  field(alloc, 'next', 'number', damaged);
  field(alloc, 'free', 'array', damaged);
  field(m, 'scratchNext', 'bigint', damaged);
  const frames = field(m, 'frames', 'array', damaged) as unknown[];
  if (frames.some((f) => typeof f !== 'number' || f % 4096 !== 0)) throw damaged('field frames holds a non-frame');
  const r = field(h, 'record', 'object', damaged);
  for (const name of ['payloads', 'applied', 'area', 'heap']) field(r, name, 'array', damaged);
  field(r, 'version', 'number', damaged);
  return h as SavedHost;
}

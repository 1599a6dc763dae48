// Shared test helpers: compiling real objects with the system toolchain,
// reading the Debian image, and asserting the ElfError contract.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ElfError } from '../../loader/elf/index.ts';

export const XEN_SYMS = '/usr/lib/debug/boot/xen-syms-4.17-amd64';

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes `files` into a fresh temp dir, runs each command there, returns the dir. */
export function buildInTmp(files: Record<string, string>, commands: string[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'xlp-elf-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const [cmd, ...args] of commands) execFileSync(cmd!, args, { cwd: dir, stdio: 'pipe' });
  return dir;
}

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Runs fn and asserts it throws an ElfError (and nothing else) with this offset and description. */
export function expectElfError(fn: () => unknown, offset: number, what: RegExp): ElfError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected an ElfError to be thrown').toBeInstanceOf(ElfError);
  const err = thrown as ElfError;
  expect(err.what).toMatch(what);
  expect(err.offset).toBe(offset);
  expect(err.message).toBe(`${err.what} at offset 0x${offset.toString(16)}`);
  return err;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface ReadelfSymbol { index: number; value: bigint; size: number; type: string; bind: string; vis: string; ndx: string; name: string }

/** `readelf -sW` parsed, for cross-checking our symbol reader. */
export function readelfSymbols(path: string): ReadelfSymbol[] {
  const out: ReadelfSymbol[] = [];
  for (const line of run('readelf', ['-sW', path]).split('\n')) {
    const m = /^\s*(\d+): ([0-9a-f]{16})\s+(0x[0-9a-f]+|\d+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      index: Number(m[1]), value: BigInt('0x' + m[2]), size: Number(m[3]), type: m[4]!, bind: m[5]!,
      vis: m[6]!, ndx: m[7]!, name: m[8]!,
    });
  }
  return out;
}

import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MAX_STEPS, traceCall } from '../../emulator/xen/trace.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { parseGuestInt } from '../args.ts';
import { chosenImage } from '../images.ts';
import { type Output, withImageOption } from '../options.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { renderHtml } from '../trace/html.ts';
import { type PatchedFunction, patchedFunctions, trampolineSites } from '../trace/patches.ts';
import { type TraceReport, succeeded } from '../trace/report.ts';
import { textLines } from '../trace/text.ts';

export interface TraceCommand {
  image: string;
  symbol: string;
  args: bigint[];
  /** Payload files to upload and apply first (name: the file name without extension). */
  apply: string[];
  string: boolean;
  html?: string;
  max: number;
  /** Apply without the build-id dependency check (as `xlp apply --nodeps`); default: the same checks as `load`. */
  nodeps?: boolean;
}

/** Run one traced call; prints the trace (and writes the HTML page) and resolves to the exit code. */
export async function runTrace(c: TraceCommand, io: Output): Promise<number> {
  const booted = bootImage(c.image);
  try {
    const address = booted.image.symbols.address(c.symbol);
    if (address === undefined) {
      io.err(`xlp: no symbol ${c.symbol} in ${booted.image.name}`);
      return 1;
    }
    const patches = c.apply.length ? await applyPayloads(booted, c.apply, io, !!c.nodeps) : { applied: [], patched: [] };
    if (!patches) return 1;
    booted.machine.console.drain();
    const trace = await traceCall(booted.machine, address, c.args, {
      max: c.max,
      string: c.string,
      trampolines: trampolineSites(patches.patched),
    });
    const report: TraceReport = { image: booted.image.name, symbol: c.symbol, args: c.args, string: c.string, trace, ...patches };
    for (const l of textLines(report)) io.out(l);
    if (c.html) {
      writeFileSync(c.html, renderHtml(report));
      io.out(`wrote ${c.html}`);
    }
    return succeeded(report) ? 0 : 1;
  } finally {
    booted.machine.close();
  }
}

/** Upload and apply each file as `xen-livepatch load` would, with its checks unless `nodeps`. */
async function applyPayloads(booted: BootedImage, files: string[], io: Output, nodeps: boolean): Promise<{ applied: string[]; patched: PatchedFunction[] } | undefined> {
  const host = new LivepatchHost(booted);
  for (const file of files) {
    const name = basename(file, extname(file));
    let s;
    try {
      host.upload(name, readFileSync(file));
      s = host.actionAndWait(name, 'APPLY', { nodeps })!;
    } catch (e) {
      if (!(e instanceof LivepatchError)) throw e;
      io.err(`xlp: applying ${name} (${file}) failed with ${e.errnoName}: ${e.reason}${nodeps ? '' : ' (--nodeps skips the dependency check)'}`);
      return undefined;
    }
    for (const l of booted.machine.console.drain()) io.out(`console: ${l}`);
    if (s.state !== 'APPLIED' || s.rc !== 0) {
      io.err(`xlp: applying ${name} (${file}) failed: state ${s.state}, rc=${s.rc}`);
      return undefined;
    }
  }
  return { applied: host.appliedStack.map((p) => p.name), patched: await patchedFunctions(host) };
}

function parseMax(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`not a positive integer: ${v}`);
  return n;
}

export function registerTrace(program: Command, io: Output): void {
  withImageOption(program.command('trace'))
    .description('run one call and print every instruction it executes, marking trampolines, faults and fixups')
    .argument('<symbol>', "function name (Xen's names: `name` or `path#name`)")
    .argument('[args...]', 'integer arguments (decimal or 0x-hex)', (v: string, prev: bigint[] = []) => [...prev, parseGuestInt(v)])
    .option('--apply <payload>', 'upload and apply this payload file first, with the checks of `load` (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--nodeps', 'apply the --apply payloads without the build-id dependency check (default: checked)')
    .option('--string', 'print the return value as a C string')
    .option('--html <file>', 'also write the trace as one self-contained HTML page')
    .option('--max <n>', 'stop tracing after this many instructions', parseMax, DEFAULT_MAX_STEPS)
    .action(async (symbol: string, args: bigint[] = [], o: { image?: string; state?: string; apply: string[]; string?: boolean; html?: string; max: number; nodeps?: boolean }) => {
      process.exitCode = await runTrace({ image: chosenImage(o), symbol, args, apply: o.apply, string: !!o.string, html: o.html, max: o.max, nodeps: o.nodeps }, io);
    });
}

import { type Command, InvalidArgumentError } from 'commander';
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { ArgumentError, type CallArg } from '../../emulator/cpu/arguments.ts';
import { cStringOf, parseCallArg } from '../call-args.ts';
import type { CallResult } from '../../emulator/cpu/cpu.ts';
import { GuestFault, GuestTimeout } from '../../emulator/cpu/errors.ts';
import { DOMAIN_KINDS, type DomainKind, XenContext, XenContextError, isDomainKind } from '../../emulator/xen/context/context.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import { stateDir } from '../session/state-dir.ts';
import { openHost } from '../session/open.ts';
import { hex, hexBytes } from '../args.ts';
import { IMAGE_OPTION_HELP, type Output } from '../options.ts';

export interface CallOptions {
  /** Print the return value as a C string. */
  string?: boolean;
  /** Arguments (0-based) whose buffers are printed after the call. */
  dump?: number[];
}

export interface CallLines {
  lines: string[];
  exitCode: number;
}

/**
 * Call SYMBOL(args) and describe the result; a guest fault or timeout becomes a report and exit code 1.
 * `invoke` makes the call (a fresh image calls the machine; the persistent host through its Session, which keeps
 * the call's effect only if it returned).
 */
export function callSymbol(
  host: BootedImage, symbol: string, args: readonly CallArg[], opts: CallOptions,
  invoke: (address: bigint, args: readonly CallArg[]) => CallResult,
): CallLines {
  const { machine, image } = host;
  const address = image.symbols.address(symbol);
  if (address === undefined) return { lines: [`xlp: no symbol ${symbol} in ${image.name}`], exitCode: 1 };
  const notBuffer = (opts.dump ?? []).find((i) => args[i] === undefined || typeof args[i] !== 'object');
  if (notBuffer !== undefined) return { lines: [`xlp: --dump ${notBuffer}: argument ${notBuffer} is not a buffer (zero:N, buf:HEX, str:TEXT)`], exitCode: 1 };
  machine.console.drain();
  try {
    const r = invoke(address, args);
    const printed = machine.console.drain();
    const rv = r.value;
    const value = opts.string ? (rv === 0n ? '(null)' : JSON.stringify(machine.readCString(rv))) : `${hex(rv)} (${BigInt.asIntN(64, rv)})`;
    const dumps = (opts.dump ?? []).flatMap((i) => dumpLines(i, r.buffers[i]!.address, r.buffers[i]!.bytes));
    return { lines: [...printed, value, ...dumps], exitCode: 0 };
  } catch (e) {
    if (e instanceof GuestFault || e instanceof GuestTimeout) {
      const report = `guest ${e.name === 'GuestFault' ? 'fault' : 'timeout'}: ${e.message}`;
      return { lines: [...machine.console.drain(), ...report.split('\n')], exitCode: 1 };
    }
    throw e;
  }
}

const ROW = 16;

/** Argument I's buffer after the call: hex rows (a run of repeated rows as `*`, as hexdump does), then its C string. */
export function dumpLines(index: number, address: bigint, bytes: Buffer): string[] {
  const lines = [`arg ${index}: ${bytes.length} bytes at ${hex(address)}`];
  let previous: string | undefined;
  let starred = false;
  for (let off = 0; off < bytes.length; off += ROW) {
    const row = hexBytes(bytes.subarray(off, off + ROW));
    const last = off + ROW >= bytes.length;
    if (row === previous && !last) {
      if (!starred) lines.push('  *');
      starred = true;
      continue;
    }
    lines.push(`  ${off.toString(16).padStart(4, '0')}  ${row}`);
    previous = row;
    starred = false;
  }
  const text = cStringOf(bytes);
  if (text !== undefined) lines.push(`  string ${JSON.stringify(text)}`);
  return lines;
}

function argumentOption(v: string, prev: CallArg[] = []): CallArg[] {
  try {
    return [...prev, parseCallArg(v)];
  } catch (e) {
    if (e instanceof ArgumentError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

function dumpOption(v: string, prev: number[] = []): number[] {
  if (!/^[0-5]$/.test(v)) throw new InvalidArgumentError(`an argument index from 0 to 5: ${v}`);
  return [...prev, Number(v)];
}

interface CallCommandOptions extends CallOptions {
  image?: string;
  state?: string;
  domain?: DomainKind;
}

function domainOption(v: string): DomainKind {
  if (!isDomainKind(v)) throw new InvalidArgumentError(`a domain is one of ${DOMAIN_KINDS.join(', ')}`);
  return v;
}

/** Make `kind`'s vCPU current in Xen's context (emulator/xen/context), or say why the image cannot have one. */
function enterDomain(host: BootedImage, kind: DomainKind): string | undefined {
  try {
    XenContext.install(host.image).use(kind);
    return undefined;
  } catch (e) {
    if (e instanceof XenContextError) return `xlp: --domain ${kind}: ${e.message}`;
    throw e;
  }
}

/** The call straight on the machine, in `--domain`'s context when asked for (fresh images, and --domain). */
function callOnMachine(host: BootedImage, symbol: string, args: CallArg[], o: CallCommandOptions): CallLines {
  const refused = o.domain && enterDomain(host, o.domain);
  if (refused) return { lines: [refused], exitCode: 1 };
  return callSymbol(host, symbol, args, o, (a, xs) => host.machine.callWith(a, xs));
}

export function registerCall(program: Command, io: Output): void {
  program
    .command('call')
    .description('call a guest function with integer or buffer arguments and print its return value')
    .argument('<symbol>', "function name (Xen's names: `name` or `path#name`)")
    .argument(
      '[args...]',
      'integers (decimal, 0x-hex, negative; 64 bits) or buffers passed by address: zero:N (N zero bytes), buf:HEX (bytes), str:TEXT (a C string)',
      argumentOption,
    )
    .option('--string', 'print the return value as a C string')
    .option('--dump <index>', 'print argument INDEX\'s buffer after the call (0 = the first argument; repeatable)', dumpOption)
    .option(
      '--domain <kind>',
      "run as the current vCPU of a domain in Xen's context: control (dom0, privileged) or guest; the context is " +
        'set up for this call only (default: no current vCPU, as before boot)',
      domainOption,
    )
    .option('--image <image>', `a fresh image to call into instead of the persistent host: ${IMAGE_OPTION_HELP}`)
    .option('--state <dir>', 'state directory of the persistent host (default $XLP_STATE or ./.xlp)')
    .action(async (symbol: string, args: CallArg[] = [], o: CallCommandOptions) => {
      if (o.domain) await initDisassembler(); // an image outside Xen's layout table is searched by its instructions
      const r = o.image ? callFresh(o.image, symbol, args, o) : callPersistent(stateDir(o.state), symbol, args, o, io);
      r.lines.forEach((l) => io.out(l));
      process.exitCode = r.exitCode;
    });
}

function callFresh(spec: string, symbol: string, args: CallArg[], o: CallCommandOptions): CallLines {
  const host = bootImage(spec);
  try {
    return callOnMachine(host, symbol, args, o);
  } finally {
    host.machine.close();
  }
}

function callPersistent(dir: string, symbol: string, args: CallArg[], o: CallCommandOptions, io: Output): CallLines {
  const s = openHost(dir, io);
  try {
    if (o.domain) {
      // Xen's context is scaffolding around one call (domains, a current vCPU, a host heap), not state the user
      // made: the call runs on it and the host is put back as it was, with nothing saved.
      const before = s.host.snapshot();
      try {
        return callOnMachine({ machine: s.host.machine, image: s.host.image }, symbol, args, o);
      } finally {
        s.host.restore(before);
      }
    }
    // Saved, since a call may change guest memory; a call that faults or times out is not kept (Session.call).
    const r = callSymbol({ machine: s.host.machine, image: s.host.image }, symbol, args, o, () => s.call(symbol, args));
    s.save();
    return r;
  } finally {
    s.close();
  }
}

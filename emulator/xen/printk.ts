// printk served from TypeScript for images we do not boot (their console is not initialised): Xen's format
// subset (%s %c %d %i %u %x %X %o %p %pS %%, flags, width, precision, h/l/ll/z/t modifiers) over SysV varargs.
import type { Machine } from './machine.ts';

/** Serve Xen's printk at `address` from the host, writing to the machine's console. */
export function servePrintk(machine: Machine, address: bigint): void {
  machine.stub(address, 'printk', (regs, m) => {
    const rsp = m.reg('RSP');
    const args = sysvVarArgs(regs, 1, (i) => m.readU64(rsp + 8n * BigInt(i + 1)));
    const text = formatPrintk(m.readCString(regs[0]!), args, (a) => m.readCString(a), (a) => m.symbolize(a));
    m.console.write(text);
  });
}

export interface VarArgs {
  next(): bigint;
}

/** SysV integer varargs: after the fixed ones in registers come the stack slots above the return address. */
export function sysvVarArgs(regs: bigint[], fixed: number, readStack: (index: number) => bigint): VarArgs {
  let i = fixed;
  let stack = 0;
  return { next: () => (i < regs.length ? regs[i++]! : readStack(stack++)) };
}

const LOGLEVEL = /^<(?:G?[0-9])>/;

export function formatPrintk(
  fmt: string,
  args: VarArgs,
  readString: (address: bigint) => string,
  symbolize: (address: bigint) => string,
): string {
  let out = '';
  const text = fmt.replace(LOGLEVEL, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const m = /^%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|z|t)?([diouxXcspS%])([SsvdhbB])?/.exec(text.slice(i));
    if (!m) {
      out += ch;
      continue;
    }
    i += m[0].length - 1;
    const [, flags = '', w, p, len, conv, ext] = m;
    const width = w === '*' ? Number(BigInt.asIntN(32, args.next())) : Number(w ?? 0);
    const prec = p === '*' ? Number(BigInt.asIntN(32, args.next())) : p !== undefined ? Number(p) : undefined;
    const bits = len === 'l' || len === 'll' || len === 'z' || len === 't' ? 64 : len === 'h' ? 16 : len === 'hh' ? 8 : 32;
    let s: string;
    let consumedExt = false;
    switch (conv) {
      case '%':
        s = '%';
        break;
      case 'c':
        s = String.fromCharCode(Number(args.next() & 0xffn));
        break;
      case 's': {
        const a = args.next();
        s = a === 0n ? '(null)' : readString(a);
        if (prec !== undefined) s = s.slice(0, prec);
        break;
      }
      case 'p': {
        const a = args.next();
        if (ext === 'S' || ext === 's') {
          s = symbolize(a);
          consumedExt = true;
        } else s = `${a.toString(16).padStart(16, '0')}`;
        break;
      }
      case 'd':
      case 'i':
        s = BigInt.asIntN(bits, args.next()).toString();
        break;
      case 'u':
        s = BigInt.asUintN(bits, args.next()).toString();
        break;
      case 'o':
        s = BigInt.asUintN(bits, args.next()).toString(8);
        break;
      default: {
        const v = BigInt.asUintN(bits, args.next()).toString(16);
        s = (flags.includes('#') ? '0x' : '') + (conv === 'X' ? v.toUpperCase() : v);
      }
    }
    if (ext && !consumedExt) i -= 1; // the letter after %p was not an extension: print it as text
    if (s.length < width) s = flags.includes('-') ? s.padEnd(width) : flags.includes('0') && conv !== 's' ? s.padStart(width, '0') : s.padStart(width);
    out += s;
  }
  return out;
}

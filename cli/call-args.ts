// Call arguments in their text form, as `xlp call`, scenario steps and journals write them: an integer
// (decimal, 0x-hex, negative; exact to 64 bits), `zero:N`, `buf:HEX` or `str:TEXT` (buffers passed by address;
// emulator/cpu/arguments.ts), and the C string a buffer holds after the call.
import { ArgumentError, type CallArg, MAX_BUFFER, structSize } from '../emulator/cpu/arguments.ts';
import { parseGuestValue } from './files/integers.ts';

function integer(text: string): bigint {
  const v = parseGuestValue(text);
  if (typeof v === 'string') throw new ArgumentError(v);
  return v;
}

function checkSize(b: Buffer): Buffer {
  if (b.length > MAX_BUFFER) throw new ArgumentError(`a buffer argument is limited to ${MAX_BUFFER} bytes (got ${b.length})`);
  return b;
}

/** One argument in its text form; throws ArgumentError. */
export function parseCallArg(text: string): CallArg {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case '':
      return integer(text);
    case 'zero': {
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(rest) ? Number(integer(rest)) : NaN;
      if (!(n > 0 && n <= MAX_BUFFER)) throw new ArgumentError(`zero:N needs a size from 1 to ${MAX_BUFFER}: ${JSON.stringify(text)}`);
      return { zero: n };
    }
    case 'buf': {
      const digits = rest.replace(/^0x/i, '');
      if (!/^([0-9a-f]{2})+$/i.test(digits)) throw new ArgumentError(`buf:HEX needs pairs of hex digits: ${JSON.stringify(text)}`);
      return { bytes: checkSize(Buffer.from(digits, 'hex')) };
    }
    case 'str':
      checkSize(Buffer.from(`${rest}\0`));
      return { string: rest };
    default:
      throw new ArgumentError(`unknown argument kind ${JSON.stringify(kind)} (zero:N, buf:HEX, str:TEXT or an integer)`);
  }
}

/** The text form of an argument (integers as 0x-hex); a struct has none and is described. */
export function formatCallArg(a: CallArg): string {
  if (typeof a === 'bigint' || typeof a === 'number') return `0x${BigInt.asUintN(64, BigInt(a)).toString(16)}`;
  if ('zero' in a) return `zero:${a.zero}`;
  if ('bytes' in a) return `buf:${Buffer.from(a.bytes).toString('hex')}`;
  if ('string' in a) return `str:${a.string}`;
  return `struct(${structSize(a)} bytes)`;
}

/** The C string a buffer holds: printable text up to a NUL inside it (undefined when it is not one). */
export function cStringOf(bytes: Uint8Array): string | undefined {
  const end = bytes.indexOf(0);
  if (end <= 0) return undefined;
  const text = Buffer.from(bytes.subarray(0, end)).toString('utf8');
  return /^[^\x00-\x08\x0b-\x1f\x7f\ufffd]+$/.test(text) ? text : undefined;
}

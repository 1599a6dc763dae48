// Step (a): livepatch_upload's request checks (get_name, verify_payload, find_payload), spec §2.1.
import { decodeString } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import { LIVEPATCH_MAX_SIZE, XEN_LIVEPATCH_NAME_SIZE as NAME_SIZE } from '../../abi.ts';
import type { UploadContext } from './types.ts';

/**
 * The name buffer as the hypercall carries it: a string is sent the way libxc does (UTF-8 + NUL, size =
 * strlen+1); a Uint8Array is taken as the raw xen_livepatch_name buffer (size = its length), which is how
 * callers can exercise size 0 or a missing terminator.
 */
export function nameBuffer(name: string | Uint8Array): Uint8Array {
  if (typeof name !== 'string') return name;
  const utf8 = new TextEncoder().encode(name);
  const out = new Uint8Array(utf8.length + 1);
  out.set(utf8);
  return out;
}

/** Returns the payload's name (as strcmp sees it: up to the first NUL). */
export function checkRequest(name: string | Uint8Array, bytes: Uint8Array, ctx: UploadContext): string {
  const buf = nameBuffer(name);
  // verify_payload maps every get_name failure to -EINVAL.
  if (buf.length === 0) fail(Errno.EINVAL, 'name size is 0');
  if (buf.length > NAME_SIZE) {
    fail(Errno.EINVAL, `name size ${buf.length} exceeds ${NAME_SIZE} (at most ${NAME_SIZE - 1} characters + NUL)`);
  }
  if (buf[buf.length - 1] !== 0) fail(Errno.EINVAL, `name is not NUL-terminated (byte ${buf.length - 1} is not 0)`);
  if (bytes.length === 0) fail(Errno.EINVAL, 'payload size is 0');
  if (bytes.length > LIVEPATCH_MAX_SIZE) {
    fail(Errno.EINVAL, `payload size ${bytes.length} exceeds LIVEPATCH_MAX_SIZE (${LIVEPATCH_MAX_SIZE})`);
  }
  const nul = buf.indexOf(0);
  const plain = decodeString(buf, 0, nul);
  if (ctx.loadedNames.some((n) => cName(n) === plain)) fail(Errno.EEXIST, `payload "${plain}" is already loaded`);
  return plain;
}

const cName = (s: string): string => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

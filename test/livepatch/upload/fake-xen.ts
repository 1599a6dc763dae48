// The "Xen" hand-built payloads link against: a few functions with the Debian 4.17 addresses and bytes.
import { XEN_EXTRA_VERSION } from './builder.ts';
import { fakeContext, type FakeContext } from './context.ts';

/** common/livepatch.c#livepatch_printall: starts with ENDBR64. */
export const ENDBR_FN = 0xffff82d040221810n;
/** A function whose ENDBR64 was poisoned to `nopw (%rcx)`. */
export const POISON_FN = 0xffff82d040221490n;
/** In the symbol table but not mapped. */
export const UNMAPPED_FN = 0xffff82d040380000n;
/** Mapped, but 4 GiB below the payload area (out of rel32 reach). */
export const FAR_FN = 0xffff82cf40000000n;
/** Starts with ENDBR32, which is not ENDBR64. */
export const ENDBR32_FN = 0xffff82d040221900n;
/** Mapped, with its first bytes being an ENDBR64 (altcall target). */
export const XEN_FNPTR = 0xffff82d040465000n;

export const EXTRA_VERSION_BYTES = Uint8Array.of(
  0x48, 0x8d, 0x05, 0x18, 0xba, 0x16, 0x00, 0xe9, 0xf4, 0xe5, 0xfc, 0xff, 0x90, 0x90, 0x90, 0x90,
);

export function xenContext(): FakeContext {
  const ctx = fakeContext();
  const fn = (name: string, address: bigint, bytes?: Uint8Array): void => {
    ctx.xenSymbols.set(name, address);
    if (bytes) ctx.memory.set(address, bytes);
  };
  fn('xen_extra_version', XEN_EXTRA_VERSION, EXTRA_VERSION_BYTES);
  fn('common/livepatch.c#livepatch_printall', ENDBR_FN, Uint8Array.of(0xf3, 0x0f, 0x1e, 0xfa, 0x41, 0x57, 0x40, 0x0f, 0xb6, 0xf7, 0x41, 0x56));
  fn('poisoned_fn', POISON_FN, Uint8Array.of(0x66, 0x0f, 0x1f, 0x01, 0x48, 0x89, 0xe2, 0x48, 0x8d, 0x05, 0, 0));
  fn('unmapped_fn', UNMAPPED_FN);
  fn('far_fn', FAR_FN, new Uint8Array(16).fill(0x90));
  const ptr = new Uint8Array(8);
  new DataView(ptr.buffer).setBigUint64(0, ENDBR_FN, true);
  fn('xen_fnptr', XEN_FNPTR, ptr);
  fn('null_fnptr', XEN_FNPTR + 8n, new Uint8Array(8));
  // Targets an altcall must not skip into: a poisoned ENDBR64, an ENDBR32 (f3 0f 1e fb), plain code.
  fn('endbr32_fn', ENDBR32_FN, Uint8Array.of(0xf3, 0x0f, 0x1e, 0xfb, 0x31, 0xc0, 0xc3));
  for (const [name, at, target] of [['poison_fnptr', 16n, POISON_FN], ['endbr32_fnptr', 24n, ENDBR32_FN], ['plain_fnptr', 32n, XEN_EXTRA_VERSION]] as const) {
    const p = new Uint8Array(8);
    new DataView(p.buffer).setBigUint64(0, target, true);
    fn(name, XEN_FNPTR + at, p);
  }
  return ctx;
}

// The patched functions of a host at one moment: for every function a loaded payload patches, the bytes at the
// patch site in memory, in the image file, and for each payload what it saved there (its struct
// livepatch_fstate, in guest memory) and what it writes. Read before and after each step of a story.
import { addNops, isEndbr64, jumpBytes, patchLength } from '../../loader/arch/x86/index.ts';
import type { PayloadState } from '../../loader/livepatch/abi.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';

/** Bytes decoded after a site to finish an instruction the patch cut. */
export const TAIL = 15;

export interface SitePayload {
  name: string;
  state: PayloadState;
  /** Its fstate says the function is applied. */
  applied: boolean;
  /** What it saved at apply (fstate insn_buffer): meaningful once it has applied. */
  saved: Uint8Array;
  /** What it writes: `E9 rel32` to its new code, or NOPs. */
  writes: Uint8Array;
  newAddr: bigint;
}

export interface SiteObservation {
  /** The function's name as the payload gives it (or its symbol). */
  name: string;
  oldAddr: bigint;
  /** old_addr, +4 after ENDBR64. */
  site: bigint;
  length: number;
  memory: Uint8Array;
  /** The bytes after the patched ones, as in memory (a patch never changes them). */
  tail: Uint8Array;
  /** The image file's bytes at the site; undefined when the function is not the image's. */
  original: Uint8Array | undefined;
  payloads: SitePayload[];
}

/** Every patched function of the loaded payloads, in order of first appearance (load order, funcs[] order). */
export function observeSites(host: LivepatchHost): SiteObservation[] {
  const m = host.machine;
  const sites = new Map<bigint, SiteObservation>();
  for (const { name } of host.list()) {
    const p = host.payload(name);
    p.prepared.funcs.forEach((f, i) => {
      if (f.oldAddr === 0n) return;
      let s = sites.get(f.oldAddr);
      if (!s) {
        const offset = isEndbr64(m.peek(f.oldAddr, 4) ?? new Uint8Array()) ? 4 : 0;
        let length: number;
        try {
          length = patchLength(f, offset);
        } catch {
          return; // a NOP patch Xen could not apply: nothing to show at this site
        }
        const site = f.oldAddr + BigInt(offset);
        s = {
          name: f.name ?? m.symbolize(f.oldAddr),
          oldAddr: f.oldAddr,
          site,
          length,
          memory: m.peek(site, length) ?? new Uint8Array(),
          tail: m.peek(site + BigInt(length), TAIL) ?? new Uint8Array(),
          original: imageBytes(host, site, length),
          payloads: [],
        };
        sites.set(f.oldAddr, s);
      }
      const at = s.site;
      s.payloads.push({
        name: p.name,
        state: p.state,
        applied: p.struct.applied(i),
        saved: p.struct.saved(i).saved.subarray(0, s.length),
        writes: f.newAddr !== 0n ? jumpBytes(at, f.newAddr) : addNops(s.length),
        newAddr: f.newAddr,
      });
    });
  }
  return [...sites.values()];
}

function imageBytes(host: LivepatchHost, address: bigint, n: number): Uint8Array | undefined {
  try {
    return Uint8Array.from(host.image.elf.readAt(address, n));
  } catch {
    return undefined; // another payload's function
  }
}

// Xen's `struct payload` and its fstate array, kept in guest memory with 4.17's layout, because real hook code
// reads and writes them (data->nfuncs, data->funcs[i], data->fstate[i].applied). Guest memory is the source of
// truth for the per-function state; the loader writes state/rc/reverted through as they change.
import type { Machine } from '../../emulator/xen/machine.ts';
import {
  FSTATE, LIST_POISON1, LIST_POISON2, LIVEPATCH_OPAQUE_SIZE, PAGE_SIZE as PAGE, type PayloadLayout, XEN_LIVEPATCH_NAME_SIZE,
} from '../abi.ts';
import { FUNC_APPLIED, HOOK_ORDER, STATE, type PayloadState } from './abi.ts';
import type { PageArea } from './page-area.ts';
import type { PreparedPayload } from './upload/index.ts';

export class PayloadStruct {
  readonly address: bigint;
  private readonly pages: number;

  /** `at`: the struct already exists in guest memory there (a host restored from a saved state): nothing is written. */
  constructor(
    private readonly machine: Machine,
    private readonly heap: PageArea,
    p: PreparedPayload,
    /** The layout of the running Xen's version (versions.ts). */
    private readonly L: PayloadLayout,
    at?: bigint,
  ) {
    const nfuncs = p.funcs.length;
    const size = L.size + nfuncs * FSTATE.size;
    this.pages = Math.ceil(size / PAGE);
    if (at !== undefined) {
      this.address = at;
      return;
    }
    this.address = heap.reserve(this.pages);
    try {
      machine.map(this.address, this.pages * PAGE, 'rw');
    } catch (e) {
      heap.release(this.address);
      throw e;
    }
    const b = Buffer.alloc(L.size);
    const u64 = (off: number, v: bigint | number): void => void b.writeBigUInt64LE(BigInt(v), off);
    b.writeUInt32LE(STATE.CHECKED, L.state);
    b[L.safeToReapply] = p.safeToReapply ? 1 : 0;
    u64(L.textAddr, p.text.address);
    u64(L.textSize, p.text.size);
    u64(L.rwAddr, p.rw.address);
    u64(L.rwSize, p.rw.size);
    u64(L.roAddr, p.ro.address);
    u64(L.roSize, p.ro.size);
    u64(L.pages, p.pages);
    u64(L.funcs, p.funcsAddress ?? 0n);
    u64(L.fstate, nfuncs ? this.fstateAddress : 0n);
    b.writeUInt32LE(nfuncs, L.nfuncs);
    b.writeUInt32LE(p.symbols.length, L.nsyms);
    u64(L.loadFuncs, p.loadFuncs?.address ?? 0n);
    u64(L.unloadFuncs, p.unloadFuncs?.address ?? 0n);
    HOOK_ORDER.forEach((h, i) => u64(L.hooks + 8 * i, p.hooks[h]?.slot ?? 0n));
    b.writeUInt32LE(p.loadFuncs?.count ?? 0, L.nLoadFuncs);
    b.writeUInt32LE(p.unloadFuncs?.count ?? 0, L.nUnloadFuncs);
    Buffer.from(p.name, 'latin1').copy(b, L.name, 0, XEN_LIVEPATCH_NAME_SIZE - 1);
    b.writeUInt32LE(p.metadata?.length ?? 0, L.metadata + 8);
    machine.write(this.address, b);
  }

  free(): void {
    this.machine.unmap(this.address, this.pages * PAGE);
    this.heap.release(this.address);
  }

  setState(state: PayloadState): void {
    this.machine.writeU32(this.address + BigInt(this.L.state), STATE[state]);
  }

  setRc(rc: number): void {
    this.machine.writeU32(this.address + BigInt(this.L.rc), rc >>> 0);
  }

  setReverted(): void {
    this.machine.write(this.address + BigInt(this.L.reverted), Buffer.from([1]));
  }

  /** list_del(&data->applied_list): Xen poisons the links. */
  poisonAppliedList(): void {
    this.machine.writeU64(this.address + BigInt(this.L.appliedList), LIST_POISON1);
    this.machine.writeU64(this.address + BigInt(this.L.appliedList + 8), LIST_POISON2);
  }

  /** The fstate array follows the struct (Xen allocates them together). */
  get fstateAddress(): bigint {
    return this.address + BigInt(this.L.size);
  }

  private fstate(i: number, field: number): bigint {
    return this.fstateAddress + BigInt(i * FSTATE.size + field);
  }

  applied(i: number): boolean {
    return this.machine.readU32(this.fstate(i, FSTATE.applied)) === FUNC_APPLIED;
  }

  setApplied(i: number, applied: boolean): void {
    this.machine.writeU32(this.fstate(i, FSTATE.applied), applied ? FUNC_APPLIED : 0);
  }

  saved(i: number): { patchOffset: number; saved: Uint8Array } {
    return {
      patchOffset: this.machine.readU32(this.fstate(i, FSTATE.patchOffset)),
      saved: this.machine.read(this.fstate(i, FSTATE.insnBuffer), LIVEPATCH_OPAQUE_SIZE),
    };
  }

  save(i: number, patchOffset: number, saved: Uint8Array): void {
    this.machine.writeU32(this.fstate(i, FSTATE.patchOffset), patchOffset);
    const buf = Buffer.alloc(LIVEPATCH_OPAQUE_SIZE);
    buf.set(saved);
    this.machine.write(this.fstate(i, FSTATE.insnBuffer), buf);
  }
}

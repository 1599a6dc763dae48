// A loaded payload: what upload prepared, its state and rc, its struct payload in guest memory, and its
// virtual region (own exception table, bug frames, symbols), registered from upload to unload (4.17.4+).
import type { Machine } from '../../emulator/xen/machine.ts';
import type { VirtualRegion } from '../../emulator/xen/regions.ts';
import { BugFrames } from '../image/bug-frames.ts';
import { ExceptionTable } from '../image/exception-table.ts';
import { type ImageSymbol, SymbolTable } from '../image/symbols.ts';
import type { PayloadState } from './abi.ts';
import type { PayloadStruct } from './payload-struct.ts';
import type { PreparedPayload } from './upload/index.ts';

export class Payload {
  private _state: PayloadState = 'CHECKED';
  private _rc = 0;
  private _reverted = false;
  readonly region: VirtualRegion;
  readonly symbols: SymbolTable;
  /** Non-overriding symbols: what later payloads may link against and patch. */
  readonly newSymbols: ReadonlyMap<string, bigint>;
  readonly exceptionTable: ExceptionTable;
  readonly bugFrames: BugFrames;

  constructor(readonly prepared: PreparedPayload, readonly struct: PayloadStruct, machine: Machine) {
    const list: ImageSymbol[] = prepared.symbols.map((s) => ({
      name: s.name, plainName: s.name, address: s.address, size: s.size, type: s.type, local: s.local, file: undefined,
    }));
    this.symbols = new SymbolTable(list);
    this.newSymbols = new Map(prepared.symbols.filter((s) => s.isNew).map((s) => [s.name, s.address]));
    this.exceptionTable = new ExceptionTable(prepared.exTable?.entries ?? []);
    this.bugFrames = new BugFrames(prepared.bugFrames, (a) => (machine.isMapped(a) ? machine.readCString(a, 512) : undefined));
    const end = prepared.base + BigInt(prepared.pages * 4096);
    const range = { start: prepared.base, end };
    const hasTable = prepared.exTable !== undefined;
    this.region = {
      name: prepared.name,
      textStart: prepared.text.address,
      textEnd: prepared.text.address + BigInt(prepared.text.size),
      // A payload without .ex_table has none: Xen does not fall back to other regions' tables.
      searchExceptionTable: (a) => (hasTable ? this.exceptionTable.search(a) : undefined),
      findBugFrame: (a) => this.bugFrames.find(a),
      // is_patch() (4.17.4+: any loaded payload): its text, rw and ro allocations, each by its own size.
      holds: (a) => [prepared.text, prepared.rw, prepared.ro].some((r) => a >= r.address && a < r.address + BigInt(r.size)),
      symbolize: (a) => {
        const s = this.symbols.symbolize(a, range);
        return s === undefined ? undefined : `${prepared.name}!${s}`;
      },
    };
  }

  get name(): string {
    return this.prepared.name;
  }
  get buildId(): Uint8Array {
    return this.prepared.buildId;
  }
  get state(): PayloadState {
    return this._state;
  }
  get rc(): number {
    return this._rc;
  }
  get reverted(): boolean {
    return this._reverted;
  }
  get safeToReapply(): boolean {
    return this.prepared.safeToReapply;
  }

  setState(s: PayloadState): void {
    this._state = s;
    this.struct.setState(s);
  }

  setRc(rc: number): void {
    this._rc = rc;
    this.struct.setRc(rc);
  }

  markReverted(): void {
    this._reverted = true;
    this.struct.setReverted();
  }

  /** Mutable fields, for host snapshots (the guest copies live in RAM and are restored with it). */
  saveFields(): { state: PayloadState; rc: number; reverted: boolean } {
    return { state: this._state, rc: this._rc, reverted: this._reverted };
  }

  restoreFields(f: { state: PayloadState; rc: number; reverted: boolean }): void {
    this._state = f.state;
    this._rc = f.rc;
    this._reverted = f.reverted;
  }

  /** The address range of this payload's memory (text|rw|ro). */
  contains(address: bigint): boolean {
    return address >= this.prepared.base && address < this.prepared.base + BigInt(this.prepared.pages * 4096);
  }
}

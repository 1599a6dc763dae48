// The whole CPU state Unicorn keeps (registers and what no register shows: the exception in flight, hflags,
// CR2, FPU/SSE), saved and put back in one native copy: the defined state each call starts from, and the CPU
// part of a snapshot.
import { type Unicorn, viewNative } from './unicorn.ts';

export class CpuContext {
  private readonly ctx: bigint;
  private readonly blob: Buffer;

  constructor(private readonly uc: Unicorn) {
    this.ctx = uc.contextAlloc();
    this.blob = viewNative(this.ctx, uc.contextSize());
  }

  /** Take the CPU's current state. */
  save(): void {
    this.uc.contextSave(this.ctx);
  }

  /** Put the CPU back in the saved state. */
  restore(): void {
    this.uc.contextRestore(this.ctx);
  }

  /** A copy of the saved state. */
  copy(): Buffer {
    return Buffer.from(this.blob);
  }

  /** Put the CPU in a state copied earlier from a context of the same Unicorn build. */
  restoreFrom(bytes: Buffer): void {
    bytes.copy(this.blob);
    this.restore();
  }

  free(): void {
    this.uc.contextFree(this.ctx);
  }
}

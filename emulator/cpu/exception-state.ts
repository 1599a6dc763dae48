// Unicorn (QEMU) remembers the exception in flight in env->old_exception and only real IDT delivery resets it;
// Unicorn never delivers through an IDT, so after one fault handled in the INTR hook the next becomes a double
// fault and the third stops emulation silently. uc_context_save/restore copy the raw CPU state, so we find the
// field's offset in the context blob once per process (calibration) and reset it after every exception.
import { enablePaging } from './control.ts';
import { PageTables } from './paging.ts';
import { PhysicalMemory } from './physical.ts';
import { REG, Unicorn, viewNative } from './unicorn.ts';

interface Offsets {
  errorCode: number;
  oldException: number;
}

let offsets: Offsets | undefined;

/** Provoke a #PF write to a read-only page (error code 3, vector 14) and find both fields in the blob. */
function calibrate(): Offsets {
  const uc = new Unicorn();
  const mem = new PhysicalMemory(1 << 20);
  try {
    uc.memMapPtr(0n, mem.host);
    const pt = new PageTables(mem);
    const code = 0xffff800000000000n;
    const data = code + 0x1000n;
    pt.map(code, 0x1000, 'rx');
    pt.map(data, 0x1000, 'r');
    mem.bytes.set([0x48, 0x89, 0x00], pt.translate(code)!.physical); // mov %rax,(%rax)
    enablePaging(uc, pt.root);
    uc.regWrite(REG.RAX, data);
    const size = uc.contextSize();
    const ctx = uc.contextAlloc();
    const blob = viewNative(ctx, size);
    uc.contextSave(ctx);
    const clean = Buffer.from(blob);
    let found: Offsets | undefined;
    uc.hookIntr(() => {
      uc.contextSave(ctx);
      for (let k = 0; k + 4 <= size && !found; k += 4) {
        if (blob.readInt32LE(k) !== 3) continue; // the error code first: few words hold 3, so this stays cheap
        for (let d = 4; k + d + 4 <= size && d <= 256; d += 4) {
          if (blob.readInt32LE(k + d) === 14 && clean.readInt32LE(k + d) === -1) {
            found = { errorCode: k, oldException: k + d };
            break;
          }
        }
      }
      uc.emuStop();
    });
    uc.emuStart(code, code + 3n, 0, 0);
    uc.contextFree(ctx);
    if (!found) throw new Error('could not locate the exception state in Unicorn\'s CPU context (unsupported Unicorn build)');
    return found;
  } finally {
    uc.close();
    mem.release();
  }
}

/** Per-instance helper: read the error code and clear the exception in flight, from inside an INTR hook. */
export class ExceptionState {
  private readonly off: Offsets;
  private readonly ctx: bigint;
  private readonly blob: Buffer;

  constructor(private readonly uc: Unicorn) {
    this.off = offsets ??= calibrate();
    this.ctx = uc.contextAlloc();
    this.blob = viewNative(this.ctx, uc.contextSize());
  }

  /** Returns the exception's error code; must run before RIP is read or written in the hook. */
  acknowledge(): number {
    this.uc.contextSave(this.ctx);
    const errorCode = this.blob.readInt32LE(this.off.errorCode);
    this.blob.writeInt32LE(-1, this.off.oldException);
    this.uc.contextRestore(this.ctx);
    return errorCode;
  }

  free(): void {
    this.uc.contextFree(this.ctx);
  }
}

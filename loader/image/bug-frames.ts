// Xen's bug frames (arch/x86/include/asm/bug.h): `.bug_frames.<type>` holds 8-byte records next to each ud2.
// word0 = loc_disp (signed 24 bits, ud2 - frame) + line_hi << 24; word1 = ptr_disp (signed 24 bits, file name
// or run_fn function - frame) + line_lo << 24; assert frames add { 0, msg - frame }. Adding a negative
// displacement into the packed word borrows from the line bits, which decoding undoes.
import { BUG_FRAME_TYPES, type BugFrameInfo, type BugFrameType } from '../../emulator/xen/regions.ts';

export interface RawBugFrame {
  type: BugFrameType;
  frame: bigint;
  address: bigint;
  line: number;
  /** File name (warn/bug/assert) or function (run_fn). */
  ptr: bigint;
  /** Assert message. */
  msg?: bigint;
}

const sext24 = (v: number): number => (v << 8) >> 8;

export function decodeBugFrames(type: number, bytes: Uint8Array, sectionAddress: bigint): RawBugFrame[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t = BUG_FRAME_TYPES[type]!;
  const stride = t === 'assert' ? 16 : 8;
  const out: RawBugFrame[] = [];
  for (let off = 0; off + stride <= bytes.length; off += stride) {
    const frame = sectionAddress + BigInt(off);
    const w0 = v.getUint32(off, true);
    const w1 = v.getUint32(off + 4, true);
    const loc = sext24(w0 & 0xffffff);
    const ptr = sext24(w1 & 0xffffff);
    const line = ((((w0 >>> 24) + (loc < 0 ? 1 : 0)) & 0x7f) << 7) | (((w1 >>> 24) + (ptr < 0 ? 1 : 0)) & 0x7f);
    const f: RawBugFrame = { type: t, frame, address: frame + BigInt(loc), line, ptr: frame + BigInt(ptr) };
    if (t === 'assert') f.msg = frame + BigInt(v.getInt32(off + 12, true));
    out.push(f);
  }
  return out;
}

/** Frames of one region, indexed by the address of their ud2; strings are read when a frame fires. */
export class BugFrames {
  private readonly byAddress = new Map<bigint, RawBugFrame>();
  readonly counts: Record<BugFrameType, number> = { run_fn: 0, warn: 0, bug: 0, assert: 0 };

  constructor(frames: readonly RawBugFrame[], private readonly readString: (address: bigint) => string | undefined) {
    for (const f of frames) {
      this.counts[f.type]++;
      if (!this.byAddress.has(f.address)) this.byAddress.set(f.address, f);
    }
  }

  get size(): number {
    return this.byAddress.size;
  }

  all(): IterableIterator<RawBugFrame> {
    return this.byAddress.values();
  }

  find(address: bigint): BugFrameInfo | undefined {
    const f = this.byAddress.get(address);
    if (!f) return undefined;
    const info: BugFrameInfo = { type: f.type, address: f.address, line: f.line };
    if (f.type === 'run_fn') info.fn = f.ptr;
    else {
      info.fileAddress = f.ptr;
      info.file = this.readString(f.ptr) ?? '<unknown>';
    }
    if (f.msg !== undefined) {
      info.messageAddress = f.msg;
      info.message = this.readString(f.msg) ?? '<unknown>';
    }
    return info;
  }
}

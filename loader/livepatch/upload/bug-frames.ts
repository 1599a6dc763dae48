// prepare_payload step 7 (spec §5.4): `.bug_frames.0..3` become the payload region's BUG/WARN/ASSERT/run_fn frames.
import { hex } from '../../elf/errors.ts';
import { decodeBugFrames, type RawBugFrame } from '../../image/bug-frames.ts';
import { Errno, fail } from '../errno.ts';
import { BUG_FRAME_SIZE, BUGFRAME_NR } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';

export function prepareBugFrames(elf: ElfModel, layout: Layout): RawBugFrame[] {
  const frames: RawBugFrame[] = [];
  for (let type = 0; type < BUGFRAME_NR; type++) {
    const s = findSection(elf, `.bug_frames.${type}`);
    if (!s) continue;
    if (s.size % BigInt(BUG_FRAME_SIZE) !== 0n) {
      fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${BUG_FRAME_SIZE}`);
    }
    if (s.size === 0n) continue;
    const address = layout.address[s.index];
    if (address === undefined) {
      fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would scan frames at NULL on a #UD)`);
    }
    frames.push(...decodeBugFrames(type, layout.memory.read(address, Number(s.size))!, address));
  }
  return frames;
}

// prepare_payload step 7 (spec §5.4): `.bug_frames.0..N-1` become the payload region's BUG/WARN/ASSERT/run_fn
// frames (the record format is the architecture's).
import type { LivepatchArch } from '../../arch/types.ts';
import { hex } from '../../elf/errors.ts';
import type { RawBugFrame } from '../../image/bug-frames.ts';
import { Errno, fail } from '../errno.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';

export function prepareBugFrames(elf: ElfModel, layout: Layout, arch: LivepatchArch): RawBugFrame[] {
  const frames: RawBugFrame[] = [];
  const { frameSize, types } = arch.bugFrames;
  for (let type = 0; type < types; type++) {
    const s = findSection(elf, `.bug_frames.${type}`);
    if (!s) continue;
    if (s.size % BigInt(frameSize) !== 0n) {
      fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${frameSize}`);
    }
    if (s.size === 0n) continue;
    const address = layout.address[s.index];
    if (address === undefined) {
      fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would scan frames at NULL on a #UD)`);
    }
    frames.push(...arch.bugFrames.decode(type, layout.memory.read(address, Number(s.size))!, address));
  }
  return frames;
}

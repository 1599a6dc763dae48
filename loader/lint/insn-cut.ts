// Which instruction of the old code a byte offset falls inside: a NOP range or an old_size must end on an
// instruction boundary of the function it describes.
import type { CodeRegion, LintImage } from './image-model.ts';
import { bytesHex, where } from './describe.ts';
import { BranchKind, decode } from './x86/decode.ts';

export interface CutInstruction {
  address: bigint;
  length: number;
  /** `jmp __x86_return_thunk`, or the bytes for what the decoder does not name. */
  text: string;
}

/**
 * The instruction of `region` that `end` (an address) falls strictly inside, decoding from the region's start;
 * undefined when `end` is a boundary, lies outside the region, or the code before it does not decode.
 */
export function instructionCut(image: LintImage, region: CodeRegion, end: bigint): CutInstruction | undefined {
  const stop = Number(end - region.address);
  if (stop <= 0 || stop >= region.size) return undefined;
  const limit = region.offset + region.size;
  let pos = region.offset;
  while (pos - region.offset < stop) {
    const insn = decode(region.data, pos, limit);
    if (!insn) return undefined;
    const next = pos + insn.length;
    if (next - region.offset > stop) {
      const address = region.base + BigInt(pos);
      const bytes = region.data.subarray(pos, next);
      return { address, length: insn.length, text: describe(image, insn.branch, region.base, insn.target, bytes) };
    }
    pos = next;
  }
  return undefined;
}

function describe(image: LintImage, kind: BranchKind, base: bigint, target: number, bytes: Uint8Array): string {
  if (kind === BranchKind.None || Number.isNaN(target)) return bytesHex(bytes);
  const name = where(image, base + BigInt(target));
  return `${kind === BranchKind.Call ? 'call' : kind === BranchKind.Jmp ? 'jmp' : 'conditional jump to'} ${name}`;
}

/** `the 5-byte \`jmp __x86_return_thunk\` at xen_minor_version+0x5`. */
export function cutText(image: LintImage, c: CutInstruction): string {
  return `the ${c.length}-byte \`${c.text}\` at ${where(image, c.address)}`;
}

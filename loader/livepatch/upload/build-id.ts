// prepare_payload steps 3-5 and step (i) (spec §1.5, §2.7): xen_build_id_check on the loaded note sections,
// duplicate build-id refusal, and the gate on the running Xen's build-id (after everything else up to 4.19,
// right after ELF parsing from 4.20: versions.ts).
import { NOTE_HEADER_SIZE, NT_GNU_BUILD_ID } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, fileData, findSection, type ElfModel, type Section } from './model.ts';
import type { UploadContext } from './types.ts';

export interface BuildIds {
  buildId: Uint8Array;
  depends: Uint8Array;
  xenDepends: Uint8Array;
}

/** Steps 3-5. `xenDepends` is given when the version checked it before layout (4.20: xen_dep not kept). */
export function prepareBuildIds(elf: ElfModel, layout: Layout, ctx: UploadContext, xenDepends?: Uint8Array): BuildIds {
  const fromMemory = (name: string): Uint8Array => {
    const s = findSection(elf, name)!;
    const at = layout.address[s.index];
    if (at === undefined) noteError(s, false, 'section is not SHF_ALLOC (Xen 4.17 would read the note at NULL)');
    const mem = layout.memory;
    return parseNote(s, { u32: (o) => mem.readU32(at + BigInt(o)), bytes: (o, n) => mem.read(at + BigInt(o), n) }, ctx.rules.rawBuildIdErrno);
  };
  const buildId = fromMemory(SEC.buildId);
  if (ctx.loadedBuildIds.some((id) => sameId(id, buildId))) {
    fail(Errno.EEXIST, `${SEC.buildId}: build-id ${hexId(buildId)} is already loaded`);
  }
  return { buildId, depends: fromMemory(SEC.depends), xenDepends: xenDepends ?? fromMemory(SEC.xenDepends) };
}

/** Step (i), xen_build_id_dep. */
export function checkXenDepends(xenDepends: Uint8Array, ctx: UploadContext): void {
  if (ctx.xenBuildId === undefined) fail(Errno.ENODATA, 'the running Xen has no build-id');
  if (!sameId(ctx.xenBuildId, xenDepends)) {
    fail(Errno.EINVAL, `${SEC.xenDepends} ${hexId(xenDepends)} does not match the hypervisor build-id ` +
      `${hexId(ctx.xenBuildId)}`);
  }
}

/**
 * Xen 4.20's early gate (versions.ts, xenDependsBeforeLayout): the note is read from the file right after the
 * ELF is parsed; a missing, empty or unparsable section and a mismatch are all -EINVAL.
 */
export function checkXenDependsEarly(elf: ElfModel, ctx: UploadContext): Uint8Array {
  const s = findSection(elf, SEC.xenDepends);
  if (!s) fail(Errno.EINVAL, `${SEC.xenDepends} is missing (checked before layout, as Xen 4.20 does)`);
  if (s.size === 0n) fail(Errno.EINVAL, `${describe(s)} is empty`);
  const data = fileData(elf.bytes, s);
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const id = parseNote(s, {
    u32: (o) => (o + 4 <= view.length ? view.readUInt32LE(o) : undefined),
    bytes: (o, n) => (o + n <= view.length ? view.subarray(o, o + n) : undefined),
  }, false);
  checkXenDepends(id, ctx);
  return id;
}

const sameId = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const hexId = (id: Uint8Array): string => Buffer.from(id).toString('hex');
const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);

interface NoteBytes {
  u32(offset: number): number | undefined;
  bytes(offset: number, length: number): Uint8Array | undefined;
}

function noteError(s: Section, noData: boolean, why: string): never {
  return fail(noData ? Errno.ENODATA : Errno.EINVAL, `${describe(s)}: bad build-id note: ${why}`);
}

/**
 * xen_build_id_check() on the first note of a (present, non-empty) section: its desc. A wrong type or owner is
 * -ENODATA there; up to 4.19 prepare_payload turned every failure into -EINVAL, 4.20 returns it as is (`raw`).
 */
function parseNote(s: Section, note: NoteBytes, raw: boolean): Uint8Array {
  const bad = (why: string, noData = false): never => noteError(s, raw && noData, why);
  if (s.size <= BigInt(NOTE_HEADER_SIZE)) bad(`section size ${hex(s.size)} <= ${NOTE_HEADER_SIZE}`);
  const size = Number(BigInt.asUintN(32, s.size)); // passed to xen_build_id_check as unsigned int
  const namesz = note.u32(0)!;
  const descsz = note.u32(4)!;
  const type = note.u32(8)!;
  if (type !== NT_GNU_BUILD_ID) bad(`type ${type} is not NT_GNU_BUILD_ID`, true);
  if (namesz + descsz > 0xffffffff) bad(`namesz ${hex(namesz)} + descsz ${hex(descsz)} overflows`);
  if (namesz < 4) bad(`namesz ${namesz} < 4`);
  if (namesz + descsz > size - NOTE_HEADER_SIZE) {
    bad(`namesz ${namesz} + descsz ${descsz} exceed the section (${hex(size)} bytes)`);
  }
  // strncmp(name, "GNU", namesz) with namesz >= 4: the first four bytes must be "GNU\0".
  const owner = note.bytes(12, 4)!;
  if (owner[0] !== 0x47 || owner[1] !== 0x4e || owner[2] !== 0x55 || owner[3] !== 0) bad('name is not "GNU"', true);
  if (descsz === 0) bad('descsz is 0');
  // The size check ignores name padding, so desc may run up to 3 bytes past the section: Xen reads on.
  const desc = note.bytes(NOTE_HEADER_SIZE + align4(namesz), descsz);
  if (!desc) bad('desc runs past the mapped memory (Xen 4.17 would fault)');
  return Uint8Array.from(desc!);
}

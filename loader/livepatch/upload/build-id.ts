// prepare_payload steps 3-5 and step (i) (spec §1.5, §2.7): xen_build_id_check on the loaded note sections,
// duplicate build-id refusal, and the gate on the running Xen's build-id.
import { NOTE_HEADER_SIZE, NT_GNU_BUILD_ID } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';
import type { UploadContext } from './types.ts';

export interface BuildIds {
  buildId: Uint8Array;
  depends: Uint8Array;
  xenDepends: Uint8Array;
}

export function prepareBuildIds(elf: ElfModel, layout: Layout, ctx: UploadContext): BuildIds {
  const buildId = noteId(elf, layout, SEC.buildId);
  if (ctx.loadedBuildIds.some((id) => sameId(id, buildId))) {
    fail(Errno.EEXIST, `${SEC.buildId}: build-id ${hexId(buildId)} is already loaded`);
  }
  return { buildId, depends: noteId(elf, layout, SEC.depends), xenDepends: noteId(elf, layout, SEC.xenDepends) };
}

/** Step (i), xen_build_id_dep. */
export function checkXenDepends(xenDepends: Uint8Array, ctx: UploadContext): void {
  if (ctx.xenBuildId === undefined) fail(Errno.ENODATA, 'the running Xen has no build-id');
  if (!sameId(ctx.xenBuildId, xenDepends)) {
    fail(Errno.EINVAL, `${SEC.xenDepends} ${hexId(xenDepends)} does not match the hypervisor build-id ` +
      `${hexId(ctx.xenBuildId)}`);
  }
}

const sameId = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const hexId = (id: Uint8Array): string => Buffer.from(id).toString('hex');
const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);

/** The desc of the first note in a (present, non-empty) section; every failure is -EINVAL in 4.17. */
function noteId(elf: ElfModel, layout: Layout, name: string): Uint8Array {
  const s = findSection(elf, name)!;
  const bad: (why: string) => never = (why) => fail(Errno.EINVAL, `${describe(s)}: bad build-id note: ${why}`);
  const at = layout.address[s.index];
  if (at === undefined) bad('section is not SHF_ALLOC (Xen 4.17 would read the note at NULL)');
  if (s.size <= BigInt(NOTE_HEADER_SIZE)) bad(`section size ${hex(s.size)} <= ${NOTE_HEADER_SIZE}`);
  const size = Number(BigInt.asUintN(32, s.size)); // passed to xen_build_id_check as unsigned int
  const mem = layout.memory;
  const namesz = mem.readU32(at)!;
  const descsz = mem.readU32(at + 4n)!;
  const type = mem.readU32(at + 8n)!;
  if (type !== NT_GNU_BUILD_ID) bad(`type ${type} is not NT_GNU_BUILD_ID`);
  if (namesz + descsz > 0xffffffff) bad(`namesz ${hex(namesz)} + descsz ${hex(descsz)} overflows`);
  if (namesz < 4) bad(`namesz ${namesz} < 4`);
  if (namesz + descsz > size - NOTE_HEADER_SIZE) {
    bad(`namesz ${namesz} + descsz ${descsz} exceed the section (${hex(size)} bytes)`);
  }
  // strncmp(name, "GNU", namesz) with namesz >= 4: the first four bytes must be "GNU\0".
  const owner = mem.read(at + 12n, 4)!;
  if (owner[0] !== 0x47 || owner[1] !== 0x4e || owner[2] !== 0x55 || owner[3] !== 0) bad('name is not "GNU"');
  if (descsz === 0) bad('descsz is 0');
  // The size check ignores name padding, so desc may run up to 3 bytes past the section: Xen reads on.
  const desc = mem.read(at + BigInt(NOTE_HEADER_SIZE + align4(namesz)), descsz);
  if (!desc) bad('desc runs past the mapped memory (Xen 4.17 would fault)');
  return Uint8Array.from(desc);
}

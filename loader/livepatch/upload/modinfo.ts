// prepare_payload step 10: `.modinfo` is the metadata LIST reports; it must end with a NUL.
import { Errno, fail } from '../errno.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';

export function prepareMetadata(elf: ElfModel, layout: Layout): Uint8Array | undefined {
  const s = findSection(elf, SEC.modinfo);
  if (!s) return undefined;
  const address = layout.address[s.index];
  if (address === undefined) fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would read it at NULL)`);
  const size = Number(s.size);
  // Xen checks data[len - 1]: for an empty section that is the byte just before it.
  const last = layout.memory.read(address + BigInt(size) - 1n, 1);
  if (!last) fail(Errno.EINVAL, `${describe(s)} is empty and starts the allocation (Xen 4.17 would fault)`);
  if (last[0] !== 0) fail(Errno.EINVAL, `${describe(s)}: metadata does not end with a NUL byte`);
  return Uint8Array.from(layout.memory.read(address, size)!);
}

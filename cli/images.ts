// The --image argument: a named image (builtin, debian, …) or a path; a near-miss of a name gets a suggestion.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ElfFile } from '../loader/elf/index.ts';
// Not the loader's index: `list` and `dmesg` reach this module and must not load the emulator with it.
import { NAMED_IMAGES } from '../loader/image/paths.ts';
import { bootedImage, defaultImage } from './session/view.ts';
import { stateDir } from './session/state-dir.ts';
import { didYouMean } from './suggest.ts';

export const imageNames = (): string[] => Object.keys(NAMED_IMAGES);

/** `spec` unchanged if it names an image; otherwise an error that says what is accepted. */
export function checkImageName(spec: string): string {
  if (Object.hasOwn(NAMED_IMAGES, spec)) return spec;
  if (existsSync(spec) && statSync(spec).isFile()) return spec;
  const hint = didYouMean(spec, imageNames());
  const what = existsSync(spec) ? `${spec} is not a file` : `no image ${spec}`;
  throw new Error(`${what}: --image takes ${imageNames().join(', ')} or the path of a Xen xen-syms${hint ? ` (${hint})` : ''}`);
}

/** How to boot a host, for messages. */
export const BOOT_HINT = `xlp boot --image ${[...imageNames(), 'PATH'].join('|')}`;

/** The image a verb on a fresh image uses: --image, else the booted host's, else $XLP_IMAGE, else builtin. */
export function chosenImage(o: { image?: string; state?: string }): string {
  return checkImageName(o.image ?? bootedImage(stateDir(o.state)) ?? defaultImage());
}

/**
 * The named image whose build-id a payload's .livepatch.xen_depends names: the one image it can load on (Xen
 * checks that note at upload), so the right default for verbs given payload files and no --image.
 */
export function imageNamedBy(payload: string): string | undefined {
  const elf = ElfFile.parse(readFileSync(payload));
  const dep = elf.section('.livepatch.xen_depends');
  const want = dep && elf.notes(dep)[0]?.desc;
  if (!want) return undefined;
  for (const [name, { path }] of Object.entries(NAMED_IMAGES)) {
    if (!existsSync(path)) continue;
    const id = ElfFile.parse(readFileSync(path)).buildId();
    if (id && Buffer.from(id).equals(Buffer.from(want))) return name;
  }
  return undefined;
}

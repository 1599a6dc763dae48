// The Xen version an image was built as, read from the image itself: Xen's own xen_major_version(),
// xen_minor_version() and xen_extra_version() run in the emulator (common/version.c returns build-time
// constants). The point release matters (spec §2.9: region lifetime changed in 4.17.4), so it is parsed from
// the extra version (".7" → 7, ".5-pre" → 5, pre-release kept).
import type { Image } from './image.ts';

export interface XenVersion {
  major: number;
  minor: number;
  /** Xen's extra version string as the image returns it, e.g. ".7" or ".5-pre". */
  extra: string;
  /** The point release from `extra` (0 when it has none). */
  point: number;
  /** A pre-release build (`-pre`, `-rc…`) of `point`. */
  preRelease: boolean;
}

export function readXenVersion(image: Image): XenVersion {
  const major = Number(image.call('xen_major_version'));
  const minor = Number(image.call('xen_minor_version'));
  const extra = image.machine.readCString(image.call('xen_extra_version'), 64);
  const m = /^\.(\d+)(.*)$/.exec(extra);
  return { major, minor, extra, point: m ? Number(m[1]) : 0, preRelease: m ? /^-(pre|rc)/.test(m[2]!) : false };
}

export const formatXenVersion = (v: XenVersion): string => `${v.major}.${v.minor}${v.extra}`;

/** Compare with a (major, minor, point) triple: negative, zero or positive as for a sort. */
export function compareXenVersion(v: Pick<XenVersion, 'major' | 'minor' | 'point'>, major: number, minor: number, point = 0): number {
  return v.major - major || v.minor - minor || v.point - point;
}

/**
 * The row of a newest-first table whose `since` the version reaches: how every per-version table is read (an
 * image newer than the table keeps its newest row; undefined for an unknown or older version).
 */
export function rowFor<T extends { readonly since: readonly [number, number, number] }>(
  rows: readonly T[], v: Pick<XenVersion, 'major' | 'minor' | 'point'> | undefined): T | undefined {
  return v && rows.find((r) => compareXenVersion(v, ...r.since) >= 0);
}

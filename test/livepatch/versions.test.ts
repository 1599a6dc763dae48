// Rules keyed by the Xen version an image reports (loader/livepatch/versions.ts): the same payload on Xen 4.17
// and on Xen 4.20 (Debian 12 and Debian 13), and on a 4.17 that reports a point release before 4.17.4. The
// expected behaviour of each version is Xen's, as the spec records it (§2.9, §2.10, §8 #3 and #5).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { bootImage } from '../../loader/boot.ts';
import { ElfFile } from '../../loader/elf/index.ts';
import { BUILTIN_IMAGE } from '../../loader/image/index.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { livepatchRules } from '../../loader/livepatch/versions.ts';
import { versionAbi } from '../../loader/abi.ts';
import { errnoOf, newHost, payloadBytes, type Target } from '../helpers/host.ts';
import { thrown } from '../helpers/thrown.ts';

const hosts: LivepatchHost[] = [];
const host = (target: Target | LivepatchHost): LivepatchHost => {
  const h = typeof target === 'string' ? newHost(target) : target;
  hosts.push(h);
  return h;
};
afterEach(() => hosts.splice(0).forEach((h) => h.machine.close()));

const refusal = (fn: () => unknown): LivepatchError => thrown(fn, LivepatchError);

describe('the rules follow the version the image reports', () => {
  it('picks 4.17.4+ for both 4.17 images and 4.20 for Debian 13', () => {
    expect(host('builtin').rules.label).toBe('4.17.4+'); // reports 4.17.7-xlp
    expect(host('debian').rules.label).toBe('4.17.4+'); // 4.17.7
    expect(host('debian-4.20').rules.label).toBe('4.20');
  });

  it('has one table entry per rule change, at the release that made it', () => {
    const v = (minor: number, point: number) => ({ major: 4, minor, point, extra: `.${point}`, preRelease: false });
    expect(livepatchRules(v(17, 3)).regionFromUpload).toBe(false);
    expect(livepatchRules(v(17, 4)).regionFromUpload).toBe(true);
    expect(livepatchRules(v(19, 0)).toolExactVerbs).toBe(true);
    expect(livepatchRules(v(19, 0)).xenDependsBeforeLayout).toBe(false);
    expect(livepatchRules(v(20, 0)).xenDependsBeforeLayout).toBe(true);
    expect(livepatchRules(v(21, 0)).rawBuildIdErrno).toBe(true);
    expect(livepatchRules(undefined).label).toBe('4.17.4+');
    // The arch's table (loader/abi.ts) picks the same way: the newest entry at or below the image's version.
    expect([undefined, '4.16', '4.17', '4.18', '4.20', '4.21'].map((x) => versionAbi(x).version)).toEqual(['4.17', '4.17', '4.17', '4.17', '4.20', '4.20']);
  });
});

describe('4.20 checks the Xen build-id right after parsing the ELF (fa49f4be41)', () => {
  it('a payload for the other build with a bad relocation: 4.17 reports the relocation, 4.20 the build-id', () => {
    // Each payload's PC32 to an absolute symbol far away overflows (-EOVERFLOW) and it was built for the other image.
    const on417 = refusal(() => host('debian').upload('x', payloadBytes('debian-4.20', 'xlp_reloc_overflow')));
    expect(on417.errnoName).toBe('EOVERFLOW');
    const on420 = refusal(() => host('debian-4.20').upload('x', payloadBytes('debian', 'xlp_reloc_overflow')));
    expect(on420.errnoName).toBe('EINVAL');
    expect(on420.reason).toMatch(/\.livepatch\.xen_depends [0-9a-f]{40} does not match the hypervisor build-id/);
  });

  it('leaves the host as it was either way', () => {
    const h = host('debian-4.20');
    const before = h.stateHash();
    expect(errnoOf(() => h.upload('x', payloadBytes('debian', 'xen_hello_world')))).toBe('EINVAL');
    expect(h.stateHash()).toBe(before);
    h.upload('hello', payloadBytes('debian-4.20', 'xen_hello_world'));
    expect(h.get('hello').state).toBe('CHECKED');
  });
});

describe("4.20 returns xen_build_id_check()'s own errno for a bad .livepatch.depends", () => {
  /** The payload with its .livepatch.depends note's type changed from NT_GNU_BUILD_ID (3) to 4. */
  const badDepends = (target: Target): Buffer => {
    const bytes = Buffer.from(payloadBytes(target, 'xen_hello_world'));
    const s = ElfFile.parse(bytes).section('.livepatch.depends')!;
    expect(bytes.readUInt32LE(Number(s.offset) + 8)).toBe(3);
    bytes.writeUInt32LE(4, Number(s.offset) + 8);
    return bytes;
  };
  it('-EINVAL on 4.17 (prepare_payload maps every failure), -ENODATA on 4.20 (wrong type)', () => {
    expect(errnoOf(() => host('debian').upload('x', badDepends('debian')))).toBe('EINVAL');
    expect(errnoOf(() => host('debian-4.20').upload('x', badDepends('debian-4.20')))).toBe('ENODATA');
  });
});

describe('a payload region lives from upload since 4.17.4 (a57b4074ab), only while applied before', () => {
  /** The builtin image reporting 4.17.3 instead of 4.17.7 (the version string patched in a copy of the file). */
  const builtin4173 = (): LivepatchHost => {
    const bytes = Buffer.from(readFileSync(BUILTIN_IMAGE));
    const at = bytes.indexOf('.7-xlp\0');
    expect(at).toBeGreaterThan(0);
    bytes.write('.3-xlp', at, 'latin1');
    const file = join(mkdtempSync(join(tmpdir(), 'xlp-4173-')), 'xen-syms');
    writeFileSync(file, bytes);
    return host(new LivepatchHost(bootImage(file)));
  };

  /** Call xlp_warn's replacement function directly while the payload is only uploaded (CHECKED). */
  const warnWhileChecked = (h: LivepatchHost): string => {
    h.upload('xlp_warn', payloadBytes('builtin', 'xlp_warn'));
    const fn = h.payload('xlp_warn').prepared.funcs[0]!.newAddr;
    h.machine.console.drain();
    try {
      h.machine.call(fn);
    } catch (e) {
      if (e instanceof GuestFault) return `fault ${e.report.vector}`;
      throw e;
    }
    return h.machine.console.drain().find((l) => l.startsWith('Xen WARN')) ?? 'no WARN line';
  };

  it("4.17.4+: its WARN's bug frame is found and the code goes on", () => {
    expect(host('builtin').rules.regionFromUpload).toBe(true);
    expect(warnWhileChecked(host('builtin'))).toMatch(/^Xen WARN at payloads\/xlp_warn_func\.c:\d+$/);
  });

  it('4.17.3: no region holds the ud2 until APPLY, so it is a fatal #UD; once applied, WARN works', () => {
    const h = builtin4173();
    expect(h.image.version).toMatchObject({ major: 4, minor: 17, point: 3 });
    expect(h.rules.label).toBe('4.17.0-4.17.3');
    expect(warnWhileChecked(h)).toBe('fault 6');
    const h2 = builtin4173();
    h2.upload('xlp_warn', payloadBytes('builtin', 'xlp_warn'));
    h2.actionAndWait('xlp_warn', 'APPLY');
    h2.machine.console.drain();
    expect(h2.machine.readCString(h2.image.call('xen_extra_version'))).toBe('Warned');
    expect(h2.machine.console.drain().find((l) => l.startsWith('Xen WARN'))).toMatch(/^Xen WARN at payloads\/xlp_warn_func\.c:\d+$/);
    // revert_payload_tail() takes the region away again: the ud2 is a fatal #UD once more.
    h2.actionAndWait('xlp_warn', 'REVERT');
    const fn = h2.payload('xlp_warn').prepared.funcs[0]!.newAddr;
    expect(thrown(() => h2.machine.call(fn), GuestFault).report.vector).toBe(6);
  });
});

describe("the op's flags: pad up to 4.18, LIVEPATCH_FLAG_FORCE since 4.19", () => {
  it('4.17 refuses any non-zero pad; 4.20 refuses unknown bits only without FORCE, and FORCE changes nothing', () => {
    const h17 = host('debian');
    expect(errnoOf(() => h17.upload('hello', payloadBytes('debian', 'xen_hello_world'), { flags: 1 }))).toBe('EINVAL');
    h17.upload('hello', payloadBytes('debian', 'xen_hello_world'));
    expect(errnoOf(() => h17.action('hello', 'APPLY', { flags: 1 }))).toBe('EINVAL');

    const h20 = host('debian-4.20');
    const bytes = payloadBytes('debian-4.20', 'xen_hello_world');
    expect(errnoOf(() => h20.upload('hello', bytes, { flags: 2 }))).toBe('EINVAL');
    expect(errnoOf(() => h20.upload('hello', bytes, { flags: 0x80000000 }))).toBe('EINVAL');
    h20.upload('hello', bytes, { flags: 3 }); // unknown bit 1, but FORCE (bit 0) set: accepted
    expect(h20.get('hello').state).toBe('CHECKED');
    h20.action('hello', 'APPLY', { flags: 1 });
    h20.idle();
    expect(h20.get('hello')).toEqual({ state: 'APPLIED', rc: 0 });
  });
});

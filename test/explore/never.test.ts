// A payload that can never load on the image (built for another image's build-id) is a failure of explore,
// with the reason, and exit 1: Xen's xen_build_id_dep() refuses it with -EINVAL on every path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../cli/explore/explore.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { file, xlp } from './helpers.ts';

const foreign = payloadPath('debian', 'xen_hello_world'); // .livepatch.xen_depends = Debian's build-id

describe('a payload that fails on every path', () => {
  it('is a `never` failure with the errno, next to a payload that loads', async () => {
    const r = await explore({ image: 'builtin', payloads: [file('xlp_warn'), foreign], mode: 'all', nodeps: true, checks: [], jobs: 1, depth: 2 });
    expect(r.uploadsExplored).toBe(true);
    const never = r.failures.filter((f) => f.invariant === 5);
    expect(never.map((f) => f.subject)).toEqual(['upload xen_hello_world']); // its apply cannot succeed either: not said again
    expect(never[0]!.message).toMatch(/^fails on every explored path: EINVAL/);
    expect(never[0]!.steps).toEqual([]); // the shortest: uploading it first
    // xlp_warn loads and applies, so nothing is said of it.
    expect(r.attempts.succeeded).toEqual(['apply xlp_warn', 'upload xlp_warn']);
  });

  it('makes `xlp explore` print the reason and exit 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'xlp-never-'));
    const r = await xlp('explore', '--jobs', '1', '--image', 'builtin', '--out', out, foreign); // without --image: debian, its xen_depends
    rmSync(out, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.out).toContain('1 failure:');
    expect(r.out.find((l) => l.includes('[never] upload xen_hello_world'))).toMatch(/fails on every explored path: EINVAL/);
  });
});

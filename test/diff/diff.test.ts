// `xlp diff` on the example fix (issue 12, items 3 and 4). What must diverge follows from Xen 4.17's
// do_xen_version(int cmd, …): sub-ops 0..10 exist (XENVER_version .. XENVER_build_id); the fix returns
// -EINVAL (-22) for every cmd above 10, where Xen returns -ENOSYS (-38); negative cmds stay -ENOSYS.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiffResult, runDiff } from '../../cli/diff/engine.ts';
import { Expectations } from '../../cli/diff/expect.ts';
import { readInputsFile } from '../../cli/diff/inputs-file.ts';
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from '../helpers/cli.ts';
import { ORIGINAL_EXTRA } from '../helpers/host.ts';

const PAYLOAD = payloadPath('debian', 'xlp_xen_version_bounds');
const EXPECT = join(REPO_ROOT, 'scenarios/diff/xen-version-bounds.expect.yaml');
const dir = mkdtempSync(join(tmpdir(), 'xlp-diff-'));
const cmdOf = (a: { kind: string; value?: bigint }): bigint => BigInt.asIntN(32, a.value!);

let r: DiffResult;
beforeAll(async () => {
  await initDisassembler(); // Xen's context on 4.20 (below), outside the layout table, is found by its instructions
  const inputs = join(dir, 'inputs.yaml');
  // every sub-op 0..12 with a zeroed buffer, listed, besides the generated inputs
  writeFileSync(inputs, `functions:\n  do_xen_version:\n    inputs:\n${Array.from({ length: 13 }, (_, i) => `      - [${i}, "zero:1024"]`).join('\n')}\n`);
  r = runDiff({ image: 'debian', payloads: [PAYLOAD], count: 200, seed: 7, domain: 'control', inputs: readInputsFile(inputs), expect: Expectations.read(EXPECT) });
});

describe('xlp diff on xlp_xen_version_bounds', () => {
  it('runs the listed and generated inputs of do_xen_version, the one function the payload patches', () => {
    expect(r.functions.map((f) => [f.function, f.signature])).toEqual([['do_xen_version', ['int32', 'buffer:1024']]]);
    expect(r.inputs).toBeGreaterThan(13 + 200);
  });

  it('diverges on exactly the inputs whose cmd is above XENVER_build_id, each -ENOSYS before and -EINVAL after', () => {
    const runs = r.functions[0]!.inputs;
    expect(r.divergences.length).toBeGreaterThan(100);
    expect(r.divergences.length).toBeLessThan(runs);
    for (const d of r.divergences) {
      expect(cmdOf(d.input.args[0]!)).toBeGreaterThan(10n);
      expect([d.kind, BigInt.asIntN(64, d.old.returns!), BigInt.asIntN(64, d.new.returns!)]).toEqual(['different-return', -38n, -22n]);
    }
    // the listed sub-ops: 11 and 12 diverge, 0..10 do not
    const listed = r.divergences.filter((d) => d.input.args[1]!.kind === 'buffer' && (d.input.args[1] as { bytes: Buffer }).bytes.every((b) => b === 0));
    expect([...new Set(listed.map((d) => cmdOf(d.input.args[0]!)))].filter((c) => c <= 12n).sort()).toEqual([11n, 12n]);
    // negative cmds (boundaries and random) are unchanged
    expect(r.divergences.some((d) => cmdOf(d.input.args[0]!) < 0n)).toBe(false);
  });

  it('the shipped expectations cover every divergence, and nothing needed a full restore', () => {
    expect(r.unexpected).toBe(0);
    expect(r.divergences.every((d) => d.rule === 0)).toBe(true);
    expect(r.fullRestores).toBe(0);
  });
});

describe('xlp diff (command)', () => {
  it('without --expect every divergence is unexpected: exit 1; with it exit 0; JSON and replayable scenarios', async () => {
    const out = join(dir, 'scn');
    const plain = await xlp('diff', PAYLOAD, '--count', '0', '--out', join(dir, 'scn0'));
    expect(plain.code).toBe(1);
    expect(plain.out[0]).toMatch(/^xlp diff on debian \(control domain\), payloads xlp_xen_version_bounds: \d+ inputs \(seed 1\), \d+ divergences, \d+ unexpected$/);
    const j = await xlp('diff', PAYLOAD, '--count', '20', '--seed', '3', '--json', '--expect', EXPECT, '--out', out);
    expect(j.code).toBe(0);
    const report = JSON.parse(j.out.join('\n'));
    expect(report.version).toBe(2); // docs/diff.md: what changed from 1
    expect(report.inputs).toBe(report.functions[0].inputs);
    expect(report.unexpected).toBe(0);
    const d = report.divergences.find((x: { args: string[] }) => x.args[1] === '0x0');
    expect(d).toMatchObject({ function: 'do_xen_version', kind: 'different-return', old: { returns: '0xffffffffffffffda' }, new: { returns: '0xffffffffffffffea' } });
    expect(d.args[0]).toMatch(/^0x[0-9a-f]+$/);
    const replay = await xlp('run', d.scenario);
    expect(replay.out.at(-1)).toMatch(/^PASS /);
    expect(readFileSync(d.scenario, 'utf8')).toContain('domain: control');
  });

  it('refuses a function it has no signature for, and a bad --domain, with a clear message', async () => {
    // size_t strlcpy(char *dest, const char *src, size_t size) (xen/include/xen/string.h): bookworm's 4.17 has no
    // DWARF to say so, and xlp's table does not list it
    const noSig = await xlp('diff', PAYLOAD, '--function', 'strlcpy', '--out', join(dir, 'x'));
    expect([noSig.code, noSig.err]).toEqual([1, [expect.stringMatching(
      /^xlp: no signature for strlcpy: debian has no DWARF \(debug info\) to read it from, and xlp's table does not list it: give its `args` \(and `returns`\) in an --inputs file \(`args: \[\]` for a function without arguments/,
    )]]);
    const bad = await xlp('diff', PAYLOAD, '--domain', 'dom0');
    expect([bad.code, bad.err]).toEqual([1, ['xlp: --domain takes control or guest (got dom0)']]);
  });
});

// The sub-ops of do_xen_version that call xen_extra_version(): XENVER_extraversion (1) copies it into a 16-byte
// buffer; Xen 4.20 adds XENVER_extraversion2 (11, common/kernel.c's xenver_varbuf_op), which returns its length
// and copies it after the buffer's 4-byte len when it fits (a zeroed len: -ENOBUFS either way, no divergence).
const CALLERS = { debian: [1n], 'debian-4.20': [1n, 11n] };

describe.each(['debian', 'debian-4.20'] as const)('xlp diff on a caller of the patched function (%s)', (target) => {
  const onCaller = (payload: string): DiffResult =>
    runDiff({ image: target, payloads: [payloadPath(target, payload)], functions: ['do_xen_version'], count: 0, seed: 1, domain: 'control' });
  const cmds = (r: DiffResult): bigint[] => [...new Set(r.divergences.map((d) => cmdOf(d.input.args[0]!)))].sort((a, b) => (a < b ? -1 : 1));

  it('xen_hello_world changes what the extraversion sub-ops give: the copied bytes, and 4.20\'s length', () => {
    const h = onCaller('xen_hello_world');
    // 4.20's DWARF gives do_xen_version(int, __guest_handle_void): the handle's size is not in its type, so the table's
    expect(h.functions.map((f) => [f.signature, f.returns, f.signatureFrom])).toEqual([[['int32', 'buffer:1024'], 'int64', 'table']]);
    expect(cmds(h)).toEqual(CALLERS[target]);
    for (const d of h.divergences) {
      const buf = d.input.args[1]!;
      if (cmdOf(d.input.args[0]!) === 1n) {
        expect([d.kind, buf.kind, d.old.returns, d.new.returns]).toEqual(['different-writes', 'buffer', 0n, 0n]);
        expect(d.old.buffers[1]!.subarray(0, 16)).toEqual(Buffer.from(ORIGINAL_EXTRA[target].padEnd(16, '\0')));
        expect(d.new.buffers[1]!.subarray(0, 16)).toEqual(Buffer.from('Hello World'.padEnd(16, '\0')));
      } else {
        expect([d.kind, d.old.returns, d.new.returns]).toEqual(['different-return', BigInt(ORIGINAL_EXTRA[target].length), BigInt('Hello World'.length)]);
        if (buf.kind === 'buffer') expect(d.new.buffers[1]!.subarray(4, 15).toString('latin1')).toBe('Hello World');
        else expect(buf).toEqual({ kind: 'pointer', value: 0n }); // NULL: the length request
      }
    }
  });

  it('xlp_bug makes the new code hit a BUG frame: new-faulted, vector 6, on the same inputs', () => {
    const b = onCaller('xlp_bug');
    expect(cmds(b)).toEqual(CALLERS[target]);
    for (const d of b.divergences) {
      expect([d.kind, d.old.fault, d.new.fault?.vector]).toEqual(['new-faulted', undefined, 6]);
      expect(d.new.fault!.reason).toMatch(/^Xen BUG at payloads\/xlp_bug_func\.c:\d+$/);
    }
  });
});

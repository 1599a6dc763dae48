// `xlp diff` on a function that takes no arguments: xen_extra_version (const char *xen_extra_version(void), Xen's
// include/xen/version.h), which xen_hello_world and xen_bye_world replace. Its signature comes from the image's
// DWARF where it has one (Debian's 4.20), else from xlp's table (the builtin image, bookworm's 4.17). What the
// new code returns is in the payloads' sources: "Hello World" (guest/payloads/xen_hello_world_func.c) and
// "Bye World!" (xen_bye_world_func.c).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiffResult, runDiff } from '../../cli/diff/engine.ts';
import { readInputsFile } from '../../cli/diff/inputs-file.ts';
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from '../helpers/cli.ts';
import { ORIGINAL_EXTRA, TARGETS, type Target } from '../helpers/host.ts';

const dir = mkdtempSync(join(tmpdir(), 'xlp-diff-noargs-'));
beforeAll(() => initDisassembler()); // Xen's context on 4.20, outside the layout table, is found by its instructions
const diff = (target: Target, ...payloads: string[]): DiffResult =>
  runDiff({ image: target, payloads: payloads.map((p) => payloadPath(target, p)), count: 100, seed: 1 });

describe.each(TARGETS)('xlp diff of xen_extra_version() on %s', (target) => {
  it('needs no signature: one input, the old string against "Hello World"', () => {
    const r = diff(target, 'xen_hello_world');
    expect(r.functions).toEqual([{
      function: 'xen_extra_version', address: expect.any(BigInt), signature: [], returns: 'string',
      signatureFrom: target === 'debian-4.20' ? 'dwarf' : 'table', inputs: 1, // --count adds nothing to no arguments
    }]);
    expect(r.divergences).toHaveLength(1);
    const d = r.divergences[0]!;
    expect([d.kind, d.input.args, d.old.text, d.new.text]).toEqual(['different-return', [], ORIGINAL_EXTRA[target], 'Hello World']);
    // the builtin image has none of the code Xen's context is found by: no current vCPU, and the report says why
    expect(r.domain).toBe(target === 'builtin' ? undefined : 'control');
    expect(r.noContext === undefined).toBe(target !== 'builtin');
  });

  it('hello then bye: "Bye World!"', () => {
    const r = diff(target, 'xen_hello_world', 'xen_bye_world');
    expect(r.divergences.map((d) => [d.function, d.kind, d.old.text, d.new.text])).toEqual([
      ['xen_extra_version', 'different-return', ORIGINAL_EXTRA[target], 'Bye World!'],
    ]);
  });
});

describe('xlp diff (command) on functions without arguments', () => {
  it('on debian-4.20 (the image xen_depends names): the strings in the table, an --expect rule on them, a scenario xlp run replays', async () => {
    const payload = payloadPath('debian-4.20', 'xen_hello_world');
    const out = join(dir, 'scn');
    const plain = await xlp('diff', payload, '--out', out);
    expect(plain.code).toBe(1);
    expect(plain.out.slice(0, 5)).toEqual([
      'xlp diff on debian-4.20 (control domain), payloads xen_hello_world: 1 input (seed 1), 1 divergence, 1 unexpected',
      "  xen_extra_version() -> string: 1 input (signature from the image's DWARF)",
      '',
      'different return value: 1',
      `  UNEXPECTED xen_extra_version(): old "${ORIGINAL_EXTRA['debian-4.20']}", new "Hello World"`,
    ]);
    const replay = await xlp('run', join(out, '001-different-return-xen_extra_version.yaml'));
    expect(replay.out.at(-1)).toMatch(/^PASS .*: 4\/4 steps/);

    const expectFile = join(dir, 'expect.yaml');
    writeFileSync(expectFile, `expect:\n  - function: xen_extra_version\n    old: { string: "${ORIGINAL_EXTRA['debian-4.20']}" }\n    new: { string: Hello World }\n`);
    expect((await xlp('diff', payload, '--expect', expectFile, '--out', join(dir, 'e'))).code).toBe(0);
    writeFileSync(expectFile, 'expect:\n  - function: xen_extra_version\n    new: { string: Bye World! }\n');
    expect((await xlp('diff', payload, '--expect', expectFile, '--out', join(dir, 'e2'))).code).toBe(1);
  });

  it("on debian-4.20, a function with a pointer argument is refused with the prototype the image's DWARF gives", async () => {
    // size_t strlcpy(char *dest, const char *src, size_t size): xen/include/xen/string.h
    const r = await xlp('diff', payloadPath('debian-4.20', 'xen_hello_world'), '--function', 'strlcpy', '--out', join(dir, 's'));
    expect([r.code, r.err]).toEqual([1, [
      "xlp: no signature for strlcpy: debian-4.20's DWARF says size_t strlcpy(char *, const char *, size_t), and argument 0 (char *dest) " +
        'is not an integer: the size of what it passes cannot be known from its type: give its `args` (and `returns`) in an --inputs file ' +
        '(`args: []` for a function without arguments; docs/diff.md)',
    ]]);
  });

  it('on builtin: no Xen context, so --domain is refused with the reason', async () => {
    const r = await xlp('diff', payloadPath('builtin', 'xen_hello_world'), '--domain', 'guest', '--out', join(dir, 'b'));
    expect([r.code, r.err]).toEqual([1, [expect.stringMatching(/^xlp: --domain guest: builtin: unknown layout field\(s\) .*: no current vCPU can be made$/)]]);
  });

  it("an inputs file's signature (`args: []`) comes before the table's", () => {
    // unsigned int xen_major_version(void) is in the table as uint32; the file says uint8, and is taken
    const inputs = join(dir, 'inputs.yaml');
    writeFileSync(inputs, 'functions:\n  xen_major_version:\n    args: []\n    returns: uint8\n');
    const r = runDiff({
      image: 'debian', payloads: [payloadPath('debian', 'xen_hello_world')], functions: ['xen_major_version'], count: 10, seed: 1,
      inputs: readInputsFile(inputs),
    });
    expect(r.functions.map((f) => [f.signature, f.returns, f.signatureFrom, f.inputs])).toEqual([[[], 'uint8', 'inputs', 1]]);
    expect(r.divergences).toEqual([]);
  });
});

// Each input of a differential run starts from the same state: after any number of inputs (faulting ones
// too) and release(), RAM is byte for byte what it was.
import { afterAll, describe, expect, it } from 'vitest';
import { generateInputs, parseArg } from '../../cli/diff/inputs.ts';
import { ArgumentArea, RunSide } from '../../cli/diff/run-side.ts';
import { KNOWN_SIGNATURES } from '../../cli/diff/signature.ts';
import { XenContext } from '../../emulator/xen/context/context.ts';
import { bootImage } from '../../loader/boot.ts';

const { machine: m, image } = bootImage('debian');
afterAll(() => m.close());

describe('RunSide on do_xen_version', () => {
  it('gives the same observation for the same input whatever ran before, and leaves RAM as it found it', () => {
    const ctx = XenContext.install(image);
    const sig = KNOWN_SIGNATURES.get('do_xen_version')!;
    const area = new ArgumentArea(m, [sig]);
    const before = m.snapshot();
    const side = new RunSide(m, ctx, area);
    const inputs = generateInputs('do_xen_version', sig, 50, 5);
    const at = image.symbol('do_xen_version');
    const first = inputs.map((i) => side.observe(at, i));
    const again = [...inputs].reverse().map((i) => side.observe(at, i)).reverse();
    expect(again).toEqual(first);
    // extraversion into a zeroed buffer: ".7", and nothing written to hypervisor data
    const ev = first[inputs.findIndex((i) => i.args[0]!.kind === 'int' && i.args[0]!.value === 1n && i.args[1]!.kind === 'buffer')]!;
    expect(ev.returns).toBe(0n);
    expect(ev.buffers[1]!.subarray(0, 3)).toEqual(Buffer.from('.7\0'));
    expect(ev.data).toEqual([]);
    side.release();
    expect(m.snapshot().ram.equals(before.ram)).toBe(true);
  });

  it("records the bytes a call writes into hypervisor data: do_console_io's text in Xen's console ring", () => {
    const ctx = XenContext.install(image);
    const sig = KNOWN_SIGNATURES.get('do_console_io')!;
    const side = new RunSide(m, ctx, new ArgumentArea(m, [sig]));
    const args = ['0', '6', 'str:hello\n'].map((a, i) => parseArg(a, sig.args[i]!, `arg ${i}`));
    const o = side.observe(image.symbol('do_console_io'), { function: 'do_console_io', args });
    expect(o.returns).toBe(0n);
    const ring = m.readU64(image.symbol('drivers/char/console.c#conring'));
    const text = o.data.find((w) => w.address >= ring && w.address < ring + 0x4000n);
    expect(text?.bytes.toString('latin1')).toBe('hello\n');
    expect(o.data.map((w) => w.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^drivers\/char\/console\.c#conringp\+0x0$/)]));
    side.release();
  });
});

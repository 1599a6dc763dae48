// xlp explain's story of the canonical scenarios and of the demo's scenario: states, edges, the bytes of the
// patched function at each step (hello under bye, revert, replace), the traced call with its #GP fixed by the
// payload's own .ex_table, the memory map. Expected bytes come from binutils (objdump, nm) and from the address
// the CPU really jumped to, never from the story's own decoding.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexBytes, hexImmediates, immediateNotes, rcText, valueText } from '../../cli/explain/format.ts';
import { renderStoryHtml } from '../../cli/explain/html.ts';
import type { SiteView, Story, StoryStep } from '../../cli/explain/story.ts';
import { main } from '../../cli/xlp.ts';
import { ORIGINAL_EXTRA } from '../helpers/host.ts';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { chromium, dumpWithDriver, jumpHex, nmAddress, objdumpBytes, stepSection, story, textOf } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-explain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
/** Screenshots are kept for a person to look at, outside the repository. */
const SHOTS = join(tmpdir(), 'xlp-explain-screenshots');
/** Nothing a page could fetch: links only to its own steps and rows. */
const EXTERNAL = /\b(src|action)\s*=|href\s*=\s*"(?!#)|<link|<iframe|<img|@import|url\(|https?:/i;

const stepOf = (s: Story, title: string, n = 1): StoryStep => s.steps.filter((x) => x.title === title)[n - 1]!;
const site = (s: StoryStep): SiteView => s.sites.find((x) => x.name === 'xen_extra_version')!;
const bytesOf = (x: SiteView, cls: 'saved' | 'wroteBack' | 'writes', payload: string): string => {
  const p = x.payloads.find((q) => q.name === payload)!;
  const c = cls === 'saved' ? p.saved : cls === 'wroteBack' ? p.wroteBack : p.writes;
  return c ? hexBytes(c.bytes) : '(none)';
};
/** Where the CPU went after the trampoline of a traced call: the new function's entry. */
const jumpedTo = (s: StoryStep): bigint => {
  const t = s.call!.patched.trace.steps;
  const i = t.findIndex((x) => x.marks.some((m) => m.kind === 'trampoline'));
  return t[i + 1]!.address;
};

describe('number formats', () => {
  it('writes immediates in hex and names errnos', () => {
    expect(hexImmediates('movabsq $16045481047390945280, %rax')).toBe('movabsq $0xdead000000000000, %rax');
    expect(hexImmediates('movq -8(%rbp), %rax')).toBe('movq -0x8(%rbp), %rax');
    expect(hexImmediates('leal (%rax, %rcx, 8), %ecx')).toBe('leal (%rax, %rcx, 8), %ecx'); // capstone's spacing
    expect(hexImmediates('movq 16(%rax,%rbx,8), %rcx')).toBe('movq 0x10(%rax,%rbx,8), %rcx');
    expect(hexImmediates('movl $1, %r8d')).toBe('movl $0x1, %r8d');
    expect(immediateNotes('movl $0xfffffff2, %edx')).toEqual(['$0xfffffff2 = -14 = -EFAULT']);
    expect(immediateNotes('cmpl $-0xe, %edx')).toEqual(['$-0xe = -14 = -EFAULT']);
    expect(immediateNotes('andl $0xffffffff, %eax')).toEqual([]);
    expect(valueText(-14n)).toBe('0xfffffffffffffff2 (-14 = -EFAULT)');
    expect(rcText(-16)).toBe('-16 (-EBUSY)');
  });
});

for (const image of ['builtin', 'debian'] as const) {
  describe(`the canonical scenario told on ${image}`, () => {
    let s: Story;
    let fn: bigint;
    beforeAll(async () => {
      s = await story(`canonical-${image}.yaml`);
      fn = nmAddress(image, 'xen_extra_version');
    }, 180_000);

    it('runs every step as the scenario expects', () => {
      expect(s.error).toBeUndefined();
      expect(s.ok).toBe(true);
      expect(s.steps).toHaveLength(56); // steps in scenarios/canonical-*.yaml, counted by hand
    });

    it('shows hello applied: it saved the original bytes and wrote its jump; the call takes the #GP fixed by its own .ex_table', () => {
      const load = stepOf(s, 'load xen_hello_world');
      expect(load.edges.map((e) => [e.payload, e.edge, e.taken])).toEqual([['xen_hello_world', 'upload', true], ['xen_hello_world', 'apply', true]]);
      expect(load.outcome.console).toEqual(expect.arrayContaining(['livepatch: xen_hello_world: Applying 1 functions', 'Hook executing.']));
      const x = site(load);
      expect(x.site).toBe(fn); // neither image starts xen_extra_version with ENDBR64
      const original = objdumpBytes(image, fn, 5);
      expect(hexBytes(x.original!.bytes)).toBe(original);
      expect(bytesOf(x, 'saved', 'xen_hello_world')).toBe(original);
      expect(x.live).toBe('xen_hello_world');

      const call = stepOf(s, 'call xen_extra_version');
      expect(hexBytes(site(call).now.bytes)).toBe(jumpHex(fn, jumpedTo(call)));
      expect(call.call!.patched.trace.string).toBe('Hello World');
      const [f] = call.call!.patched.faults;
      expect(f!.vector).toBe(13);
      expect(f!.registers![/\(%(\w+)\)/.exec(f!.instruction)![1]!.toUpperCase()]).toBe(0xdead000000000000n);
      expect(f!.cr2).toBeUndefined();
      const t = f!.table!;
      expect([t.owner, t.name, t.index]).toEqual(['payload', 'xen_hello_world', 0]);
      // The entry's two s32, each relative to its own address (decoded by hand from the bytes).
      const rel = (o: number): bigint => BigInt(Buffer.from(t.bytes).readInt32LE(o));
      expect(t.address + rel(0)).toBe(f!.rip);
      expect(t.address + 4n + rel(4)).toBe(f!.resume);
      const resumed = call.call!.patched.trace.steps[f!.step + 1]!;
      expect(resumed.address).toBe(f!.resume);
      expect(immediateNotes(resumed.text).join()).toContain('-EFAULT');
      // Beside it, the unpatched image's own run: no trampoline, no fault, the original string.
      const u = call.call!.unpatched!.trace;
      expect(u.string).toBe(ORIGINAL_EXTRA[image]);
      expect(u.steps[0]!.address).toBe(fn);
      expect(u.steps.some((x) => x.marks.length && x.marks[0]!.kind !== 'return')).toBe(false);
    });

    it('stacks bye on hello: bye saved hello\'s jump, and its own jump is live', () => {
      const hello = jumpedTo(stepOf(s, 'call xen_extra_version'));
      const bye = stepOf(s, 'load xen_bye_world', 2);
      expect(bye.ok).toBe(true);
      const x = site(bye);
      expect(bytesOf(x, 'saved', 'xen_bye_world')).toBe(jumpHex(fn, hello));
      expect(x.payloads.find((p) => p.name === 'xen_bye_world')!.savedFrom).toBe('xen_hello_world');
      expect(bytesOf(x, 'saved', 'xen_hello_world')).toBe(objdumpBytes(image, fn, 5));
      expect(x.live).toBe('xen_bye_world');
      expect(bye.stack).toEqual(['xen_hello_world', 'xen_bye_world']);
      const call = s.steps[s.steps.indexOf(bye) + 1]!;
      expect(hexBytes(site(call).now.bytes)).toBe(jumpHex(fn, jumpedTo(call)));
      expect(call.call!.patched.trace.string).toBe('Bye World!');
      // The map draws both jumps: bye's live, hello's overwritten.
      expect(bye.map.jumps.map((j) => [j.payload, j.live, j.from])).toEqual([['xen_hello_world', false, fn], ['xen_bye_world', true, fn]]);
    });

    it('refuses to revert hello under bye with EBUSY, changing nothing', () => {
      const r = s.steps.find((x) => x.title === 'revert xen_hello_world' && x.outcome.errno === 'EBUSY')!;
      expect(r.edges).toEqual([{ payload: 'xen_hello_world', edge: 'revert', from: 'APPLIED', to: 'CHECKED', taken: false, errno: 'EBUSY' }]);
      expect(r.after).toEqual(r.before);
      expect(site(r).live).toBe('xen_bye_world');
    });

    it('replaces: bye writes back hello\'s jump, hello the original, then replace writes its own', () => {
      const hello = jumpedTo(stepOf(s, 'call xen_extra_version'));
      const r = stepOf(s, 'replace xen_replace_world');
      expect(r.edges.map((e) => `${e.payload} ${e.edge} ${e.taken}`)).toEqual(['xen_hello_world revert true', 'xen_bye_world revert true', 'xen_replace_world replace true']);
      const x = site(r);
      expect(bytesOf(x, 'wroteBack', 'xen_bye_world')).toBe(jumpHex(fn, hello));
      expect(bytesOf(x, 'wroteBack', 'xen_hello_world')).toBe(objdumpBytes(image, fn, 5));
      expect(bytesOf(x, 'saved', 'xen_replace_world')).toBe(objdumpBytes(image, fn, 5));
      expect(x.live).toBe('xen_replace_world');
      expect(r.outcome.console.indexOf('livepatch: xen_bye_world: Reverting')).toBeLessThan(r.outcome.console.indexOf('livepatch: xen_hello_world: Reverting'));
    });

    it('draws each payload\'s pages after a guard page, and forgets them at unload', () => {
      const load = stepOf(s, 'load xen_hello_world');
      const mine = load.map.ranges.filter((r) => r.owner === 'xen_hello_world');
      expect(mine.map((r) => [r.kind, r.perms])).toEqual([['guard', '---'], ['payload-text', 'r-x'], ['payload-rw', 'rw-'], ['payload-ro', 'r--']]);
      expect(mine[0]!.end - mine[0]!.start).toBe(0x1000n);
      expect(mine[1]!.start).toBe(mine[0]!.end);
      const text = mine[1]!;
      expect(load.map.jumps).toEqual([expect.objectContaining({ from: fn, payload: 'xen_hello_world', live: true })]);
      expect(load.map.jumps[0]!.to >= text.start && load.map.jumps[0]!.to < text.end).toBe(true);
      // The image's text as the map draws it: from _stext to _etext rounded up to a page (nm).
      const imageText = load.map.ranges.find((r) => r.kind === 'image-text' && fn >= r.start && fn < r.end)!;
      expect([imageText.start, imageText.end]).toEqual([nmAddress(image, '_stext'), (nmAddress(image, '_etext') + 0xfffn) & ~0xfffn]);
      const unload = stepOf(s, 'unload xen_hello_world');
      expect(unload.map.ranges.some((r) => r.owner === 'xen_hello_world')).toBe(false);
      expect(unload.edges).toEqual([expect.objectContaining({ edge: 'unload', taken: true })]);
    });

    it('renders a page that shows each of these to a student, at 1400 px and at 800 px', () => {
      const html = renderStoryHtml(s);
      expect(html).not.toMatch(EXTERNAL);
      expect(html).not.toContain('16045481047390945280'); // capstone's decimal for 0xdead000000000000
      const original = objdumpBytes(image, fn, 5);
      const callStep = stepOf(s, 'call xen_extra_version');
      const hello = jumpedTo(callStep);
      const fault = callStep.call!.patched.faults[0]!;
      const base = /\(%(\w+)\)/.exec(fault.instruction)![1]!;
      for (const width of image === 'builtin' ? [1400, 800] : [1400]) {
        const { dom, driver } = dumpWithDriver(tmp, html, width);
        expect(dom.match(/<section class="step/g)).toHaveLength(56);
        // Keyboard: j three times reaches step 3, k goes back one, → forward again.
        expect([driver.afterJ3, driver.current, driver.afterK, driver.afterRight]).toEqual(['#step-3', 'step-3', '#step-2', '#step-3']);
        // Readable: nothing sticks out of the window, the traces sit side by side only when there is room.
        expect(driver.overflow).toEqual([]);
        expect(driver.scrollWidth).toBeLessThanOrEqual(driver.innerWidth);
        expect(width === 1400 ? driver.sideBySide : driver.stacked).toBe(true);

        const load = stepSection(dom, stepOf(s, 'load xen_hello_world').index);
        expect(load).toMatch(/<g class="edge taken" data-edge="upload" data-payloads="xen_hello_world">/);
        expect(load).toMatch(/<g class="edge taken" data-edge="apply" data-payloads="xen_hello_world">/);
        const con = textOf(/<pre class="console">([\s\S]*?)<\/pre>/.exec(load)![1]!).split('\n');
        const order = ['livepatch: xen_hello_world: Applying 1 functions', 'hi_func: Hi! (called 1 times)', 'livepatch: xen_hello_world finished APPLY with rc=0'];
        expect(order.map((l) => con.indexOf(l))).toEqual([...order.map((l) => con.indexOf(l))].sort((a, b) => a - b));
        expect(order.every((l) => con.includes(l))).toBe(true);
        expect(load).toMatch(new RegExp(`<tr class="saved" data-payload="xen_hello_world"><td>[^<]*</td><td class="bytes">${original}</td>`));
        expect(load).toMatch(new RegExp(`<tr class="now" data-live="xen_hello_world"><td>[^<]*</td><td class="bytes">${jumpHex(fn, hello)}</td><td class="code">jmp 0x${hello.toString(16)} &lt;xen_hello_world!xen_hello_world&gt;`));
        expect(load).toMatch(/<g class="range guard" data-owner="xen_hello_world"[\s\S]*<g class="range payload-text" data-owner="xen_hello_world"[\s\S]*<g class="range payload-rw"[\s\S]*<g class="range payload-ro"/);
        expect(load).toMatch(/<g class="jump live" data-payload="xen_hello_world">/);

        const call = stepSection(dom, callStep.index);
        expect(call).toContain('<div class="trace unpatched">');
        expect(call).toContain('<div class="trace patched">');
        expect(call).toMatch(new RegExp(`<tr id="s${callStep.index}-p-1" class="trampoline">[\\s\\S]*?<a href="#s${callStep.index}-p-2">0x${hello.toString(16)}</a>`));
        expect(call).toMatch(/<tr id="[^"]+" class="fault">[\s\S]*?#GP \(vector 13\)/);
        expect(call).toMatch(/<tr id="[^"]+" class="fixup">[\s\S]*?-14 = -EFAULT/);
        expect(call).toContain('<span class="owner" data-owner="payload" data-table="xen_hello_world">Fixed by xen_hello_world\'s own .ex_table');
        const detail = textOf(/<div class="fault-detail"[\s\S]*?<\/div>\n<\/div>/.exec(call)![0]);
        expect(detail).toContain(`Entry #0 of 1`);
        expect(detail).toContain(`${base}0xdead000000000000`);
        expect(detail).toContain('CR2: not written');
        expect(textOf(call)).toContain('"Hello World"');
        expect(textOf(/<div class="trace unpatched">[\s\S]*?<\/table>/.exec(call)![0])).not.toMatch(/trampoline|#GP/);

        const bye = stepSection(dom, stepOf(s, 'load xen_bye_world', 2).index);
        expect(bye).toMatch(new RegExp(`<tr class="saved" data-payload="xen_bye_world"><td>xen_bye_world \\(APPLIED\\) saved \\(xen_hello_world's jump\\)</td><td class="bytes">${jumpHex(fn, hello)}</td>`));
        expect(bye).toMatch(new RegExp(`<tr class="saved" data-payload="xen_hello_world"><td>[^<]*</td><td class="bytes">${original}</td>`));
        expect(bye).toMatch(/<tr class="now" data-live="xen_bye_world">/);
        expect(bye).toMatch(/<g class="jump stale" data-payload="xen_hello_world">[\s\S]*<g class="jump live" data-payload="xen_bye_world">/);
        expect(textOf(bye)).toContain('Applied stack, bottom → top: xen_hello_world → xen_bye_world (top)');

        const busy = stepSection(dom, s.steps.find((x) => x.outcome.errno === 'EBUSY')!.index);
        expect(busy).toMatch(/<g class="edge refused" data-edge="revert" data-payloads="xen_hello_world">[\s\S]*?xen_hello_world ✗ -EBUSY/);
        expect(textOf(busy)).toContain('refused with -EBUSY (-16)');

        const replace = stepSection(dom, stepOf(s, 'replace xen_replace_world').index);
        expect(replace).toMatch(new RegExp(`<tr class="wroteback" data-payload="xen_bye_world"><td>[^<]*</td><td class="bytes">${jumpHex(fn, hello)}</td>`));
        expect(replace).toMatch(new RegExp(`<tr class="wroteback" data-payload="xen_hello_world"><td>[^<]*</td><td class="bytes">${original}</td>`));
        expect(replace).toMatch(/<tr class="now" data-live="xen_replace_world">/);
        expect(replace).toMatch(/<g class="edge taken" data-edge="replace" data-payloads="xen_replace_world">/);
        expect(replace).toMatch(/<g class="edge taken" data-edge="revert" data-payloads="xen_hello_world xen_bye_world">/);

        const unload = stepSection(dom, stepOf(s, 'unload xen_hello_world').index);
        expect(unload).toMatch(/<g class="edge taken" data-edge="unload" data-payloads="xen_hello_world">/);
        expect(unload).not.toContain('data-owner="xen_hello_world"');
      }
      if (image === 'builtin') {
        mkdirSync(SHOTS, { recursive: true });
        for (const width of [800, 1400]) {
          const png = join(SHOTS, `canonical-builtin-${width}.png`);
          const page = join(tmp, 'page.html');
          writeFileSync(page, html);
          chromium(tmp, page, width, `--screenshot=${png}`);
          const b = readFileSync(png);
          expect(b.subarray(1, 4).toString()).toBe('PNG');
          expect(b.readUInt32BE(16)).toBe(width); // IHDR width
        }
      }
    }, 180_000);

    it('tells a failed load of bye (no hello below it) as upload, refused apply, unload', () => {
      const l = stepOf(s, 'load xen_bye_world', 1);
      expect(l.edges.map((e) => `${e.edge} ${e.taken} ${e.errno ?? ''}`.trim())).toEqual(['upload true', 'apply false EINVAL', 'unload true']);
    });
  });
}

describe('the demo story on debian', () => {
  let s: Story;
  beforeAll(async () => {
    s = await story('teach-debian.yaml');
  }, 180_000);

  it('reverting bye puts hello\'s jump back, and the next call goes to hello again', () => {
    expect(s.ok).toBe(true);
    const fn = nmAddress('debian', 'xen_extra_version');
    const hello = jumpedTo(stepOf(s, 'call xen_extra_version'));
    const r = stepOf(s, 'revert xen_bye_world');
    const x = site(r);
    expect(bytesOf(x, 'wroteBack', 'xen_bye_world')).toBe(jumpHex(fn, hello));
    expect(hexBytes(x.now.bytes)).toBe(jumpHex(fn, hello));
    expect([x.liveBefore, x.live]).toEqual(['xen_bye_world', 'xen_hello_world']);
    expect(r.stack).toEqual(['xen_hello_world']);
    const call = s.steps[s.steps.indexOf(r) + 1]!;
    expect(call.call!.patched.trace.string).toBe('Hello World');
    expect(jumpedTo(call)).toBe(hello);
  });
});

describe('xlp explain', () => {
  it('prints the story, writes the page, and exits 0; a missing file is one line and exit 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const page = join(tmp, 'cli.html');
    expect(await main(['explain', join(REPO_ROOT, 'scenarios/teach-debian.yaml'), '--html', page], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toContain('[6] revert xen_hello_world');
    expect(out).toContainEqual(expect.stringMatching(/^ {4}revert xen_hello_world: refused with -EBUSY \(-16\): .*Nothing changed\.$/));
    expect(out.at(-1)).toBe(`wrote ${page}`);
    expect(readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const missing = await main(['explain', join(tmp, 'nothere.yaml')], io);
    expect(missing).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^xlp explain: .*nothere\.yaml/)]);
  }, 120_000);
});

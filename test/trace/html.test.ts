// `xlp trace --html`: one self-contained page, escaped, that a real browser (headless Chromium) renders with
// the trampoline step highlighted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../cli/options.ts';
import { renderHtml } from '../../cli/trace/html.ts';
import type { TraceReport } from '../../cli/trace/report.ts';
import { main } from '../../cli/xlp.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-trace-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const quiet: Output = { out: () => undefined, err: () => undefined };
/** Nothing a page could fetch or run. */
const EXTERNAL = /\b(src|href|action)\s*=|<script|<link|<iframe|<img|@import|url\(/i;

describe('the HTML page', () => {
  it('escapes every text it shows and refers to nothing outside itself', () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const report: TraceReport = {
      image: evil, symbol: evil, args: [1n], applied: [evil], string: true, patched: [],
      trace: {
        steps: [{
          address: 0x1000n, bytes: Uint8Array.from([0xc3]), text: 'ret <b>', symbol: evil,
          marks: [{ kind: 'console', line: evil, severity: 'warn' }, { kind: 'return', value: 0x2000n }],
        }],
        returned: 0x2000n, string: evil, truncated: false, max: 10, console: [evil],
      },
    };
    const page = renderHtml(report);
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(page).toContain('ret &lt;b&gt;');
    expect(page).not.toMatch(EXTERNAL);
    expect(page).toContain('<tr class="console warn">');
  });
});

describe('the HTML page in headless Chromium', () => {
  const page = join(tmp, 'hello.html');
  const chromium = (dataDir: string, ...args: string[]): string =>
    execFileSync('/usr/bin/chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(tmp, dataDir))}`, ...args, `file://${page}`,
    ], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    const argv = ['trace', '--apply', payloadPath('builtin', 'xen_hello_world'), 'xen_extra_version', '--string', '--html', page];
    expect(await main(argv, quiet)).toBe(0);
  }, 120_000);

  it('writes one self-contained page', () => {
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(EXTERNAL);
    expect(html).toContain('<style>');
  });

  it('shows the trampoline step, the fault and fixup rows, and the patched bytes (--dump-dom)', () => {
    const dom = chromium('dom-', '--dump-dom');
    const row = dom.match(/<tr class="trampoline"[^>]*>[\s\S]*?<\/tr>/)?.[0];
    expect(row).toBeDefined();
    expect(row).toContain('<td>xen_extra_version+0x0</td>');
    expect(row).toContain('<span class="label trampoline">trampoline</span>');
    expect(row).toContain('→ trampoline to xen_hello_world!xen_hello_world');
    expect(dom.match(/<tr class="trampoline"/g)).toHaveLength(1);
    expect(dom).toMatch(/<tr class="fault"[^>]*>[\s\S]*?#GP at xen_hello_world!xen_hello_world\+0x[0-9a-f]+ → fixup/);
    expect(dom).toMatch(/<tr class="fixup"[^>]*>/);
    expect(dom).toMatch(/<tr class="return"[^>]*>[\s\S]*?"Hello World"/);
    expect(dom).toContain('Patched bytes');
    expect(dom).toMatch(/original \(image ELF\)<\/td><td>48 8d 05 [^<]*<\/td><td>0xffff82d040[0-9a-f]+ {2}leaq/);
    expect(dom).toMatch(/now in memory<\/td><td>e9 [^<]*<\/td><td>0xffff82d040[0-9a-f]+ {2}jmp 0x/);
    expect(dom).toContain('live patch');
  });

  it('renders a real screenshot (--screenshot)', () => {
    const png = join(tmp, 'hello.png');
    chromium('shot-', `--screenshot=${png}`, '--window-size=1200,900');
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBeGreaterThan(10 * 1024);
  });
});

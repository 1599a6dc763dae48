// Stories recorded once per file, and facts about the images taken from binutils (independent of xlp's reader).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Story, recordStory } from '../../cli/explain/story.ts';
import { parseScenario } from '../../cli/scenario/schema.ts';
import { REPO_ROOT, resolveImage } from '../../loader/image/index.ts';

export async function story(file: string): Promise<Story> {
  const path = join(REPO_ROOT, 'scenarios', file);
  return recordStory(parseScenario(readFileSync(path, 'utf8'), path));
}

/** The address of a symbol, from nm. */
export function nmAddress(image: string, symbol: string): bigint {
  const line = execFileSync('nm', [resolveImage(image)], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n').find((l) => l.endsWith(` ${symbol}`) && / [tT] /.test(l));
  if (!line) throw new Error(`nm: no ${symbol}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** `n` bytes of the image file at `address`, from objdump -s. */
export function objdumpBytes(image: string, address: bigint, n: number): string {
  const out = execFileSync('objdump', ['-s', `--start-address=0x${address.toString(16)}`, `--stop-address=0x${(address + BigInt(n)).toString(16)}`, resolveImage(image)], { encoding: 'utf8' });
  const hex = out.split('\n').filter((l) => /^ [0-9a-f]{8,16} /.test(l)).map((l) => l.slice(1).split(/\s+/).slice(1, 5).join('')).join('');
  return hex.slice(0, 2 * n).replace(/(..)(?!$)/g, '$1 ');
}

/** E9 rel32 from `site` to `target`, worked out by hand. */
export function jumpHex(site: bigint, target: bigint): string {
  const rel = BigInt.asUintN(32, target - (site + 5n));
  return ['e9', ...[0n, 8n, 16n, 24n].map((s) => ((rel >> s) & 0xffn).toString(16).padStart(2, '0'))].join(' ');
}

/** What the test driver measured in the page (see DRIVER). */
export interface DriverResult {
  afterJ3: string;
  current: string;
  afterK: string;
  afterRight: string;
  scrollWidth: number;
  innerWidth: number;
  overflow: string[];
  sideBySide: boolean;
  stacked: boolean;
}

/**
 * Appended to a copy of the page: presses keys as a student would, then measures the layout, and leaves the
 * results in the DOM for --dump-dom.
 */
export const DRIVER = `<script>
(function () {
  function key(k) { document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); }
  var r = {};
  key('j'); key('j'); key('j'); r.afterJ3 = location.hash;
  var c = document.querySelector('section.step.current'); r.current = c ? c.id : '';
  key('k'); r.afterK = location.hash; key('ArrowRight'); r.afterRight = location.hash;
  window.scrollTo(0, 0);
  r.scrollWidth = document.documentElement.scrollWidth; r.innerWidth = window.innerWidth;
  r.overflow = [];
  document.querySelectorAll('.note, ul.summary li, p, h1, h2, h3, h4, pre.console, table.trace, svg.machine').forEach(function (n) {
    if (n.closest('.scroll')) return;
    var b = n.getBoundingClientRect();
    if (b.width && b.right > window.innerWidth + 1) r.overflow.push(n.tagName + '.' + n.className + ' ' + Math.round(b.right));
  });
  var u = document.querySelector('.trace.unpatched'), p = u && u.parentNode.querySelector('.trace.patched');
  if (u && p) {
    var a = u.getBoundingClientRect(), b = p.getBoundingClientRect();
    r.sideBySide = a.right <= b.left && Math.abs(a.top - b.top) < 2; r.stacked = b.top >= a.bottom;
  }
  var out = document.createElement('pre'); out.id = 'driver-result'; out.textContent = JSON.stringify(r);
  document.body.appendChild(out);
})();
</script>`;

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--virtual-time-budget=5000'];

export function chromium(dir: string, page: string, width: number, ...args: string[]): string {
  return execFileSync('/usr/bin/chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${mkdtempSync(join(dir, 'profile-'))}`,
    `--window-size=${width},1000`, ...args, `file://${page}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Dump the DOM of the page with the driver appended; returns the DOM and the driver's measurements. */
export function dumpWithDriver(dir: string, html: string, width: number): { dom: string; driver: DriverResult } {
  const page = join(dir, `driven-${width}.html`);
  writeFileSync(page, html.replace('</body>', `${DRIVER}\n</body>`));
  const dom = chromium(dir, page, width, '--dump-dom');
  const json = /<pre id="driver-result">([^<]*)<\/pre>/.exec(dom)?.[1];
  if (!json) throw new Error('the driver left no result: the page script did not run');
  return { dom, driver: JSON.parse(json.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as DriverResult };
}

/** The section of step `n` in a dumped DOM. */
export function stepSection(dom: string, n: number): string {
  const m = new RegExp(`<section class="step[^"]*" id="step-${n}"[\\s\\S]*?</section>`).exec(dom);
  if (!m) throw new Error(`no section for step ${n}`);
  return m[0];
}

/** Text content of a fragment: tags dropped, entities decoded. */
export const textOf = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

// `make demo`: boot both images and run real hypervisor code, show faults fixed up through exception tables, then
// tell live patching step by step (upload, apply, stack, EBUSY, revert, replace, unload) and write that story as
// an HTML page with a screenshot under build/demo/. Each part is one entry of SECTIONS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { VECTOR_NAMES } from '../emulator/cpu/errors.ts';
import { diffDemo } from './demo-diff.ts';
import { disassemble, initDisassembler } from '../emulator/cpu/disasm.ts';
import type { Machine } from '../emulator/xen/machine.ts';
import { type BootedImage, bootImage } from '../loader/boot.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { hex, hexBytes, insnText, valueText } from './explain/format.ts';
import { renderStoryHtml } from './explain/html.ts';
import { recordStory } from './explain/story.ts';
import { storyText } from './explain/text.ts';
import { parseScenario } from './scenario/schema.ts';

const say = (s = ''): void => console.log(s);
const OUT = join(REPO_ROOT, 'build/demo');
const STORY = join(REPO_ROOT, 'scenarios/teach-debian.yaml');

interface Images {
  builtin: BootedImage;
  debian: BootedImage;
}

interface Section {
  title: string;
  run(images: Images): void | Promise<void>;
}

function showInstructions(m: Machine, label: string, at: bigint, count: number): void {
  disassemble(m.read(at, 32), at, count).forEach((i, n) => {
    say(`    ${n === 0 ? label.padEnd(9) : ''.padEnd(9)} ${m.symbolize(i.address).padEnd(34)} ${hexBytes(i.bytes).padEnd(24)} ${insnText(i.text)}`);
  });
}

function showFixups(host: BootedImage): void {
  const m = host.machine;
  for (const f of m.fixups) {
    say(`  ${VECTOR_NAMES[f.vector] ?? f.vector} (vector ${f.vector}) at ${m.symbolize(f.rip)} -> Xen's .ex_table (${host.image.name}) -> ${m.symbolize(f.resume)}`);
    showInstructions(m, 'faulting', f.rip, 1);
    showInstructions(m, 'fixup', f.resume, 2);
  }
}

function images({ builtin, debian }: Images): void {
  for (const [label, host] of [['builtin', builtin], ['debian', debian]] as const) {
    say(`${label} image: ${host.image.path}`);
    say(`  build-id ${host.image.buildIdHex}, ${host.image.symbols.size} symbols, ${host.image.exceptionTable.length} ex_table entries`);
    say(`  xen_extra_version() = ${JSON.stringify(host.machine.readCString(host.image.call('xen_extra_version')))}`);
    say(`  xen_minor_version() = ${hex(host.image.call('xen_minor_version'))}`);
  }
}

function faults({ builtin, debian }: Images): void {
  say("a #GP fixed up through the builtin image's .ex_table:");
  const out = builtin.machine.scratch(8);
  const rv = builtin.image.call('read_u64_unsafe', [0xdead000000000000n, out]);
  showFixups(builtin);
  say(`  read_u64_unsafe(0xdead000000000000) returned ${valueText(rv, 32)}`);
  say();
  say("a #PF inside Debian's real copy_from_guest_ll, fixed up by Xen's own .fixup code:");
  const m = debian.machine;
  const src = 0x10000n;
  const dst = 0xffff82d0c0000000n;
  m.map(src, 0x1000, 'rw');
  m.fill(src, 0x1000, 0xab);
  m.map(dst, 0x2000, 'rw');
  const left = debian.image.call('copy_from_guest_ll', [dst, src, 0x2000]);
  showFixups(debian);
  say(`  copy_from_guest_ll(${hex(dst)}, ${hex(src)}, 0x2000): ${hex(left)} bytes not copied (the second page is not mapped)`);
}

/** The same story as `xlp explain scenarios/teach-debian.yaml --html …`, and a screenshot of its key steps. */
async function livePatching(): Promise<void> {
  const story = await recordStory(parseScenario(readFileSync(STORY, 'utf8'), relative(process.cwd(), STORY)));
  for (const l of storyText(story)) say(l);
  if (!story.ok) throw new Error('the demo story did not go as its scenario expects');
  mkdirSync(OUT, { recursive: true });
  const page = join(OUT, 'teach-debian.html');
  const html = renderStoryHtml(story);
  writeFileSync(page, html);
  say();
  say(`wrote ${relative(process.cwd(), page)}: the same story as one page (open it in a browser; j/k step through it)`);
  const key = ['call xen_extra_version', 'load xen_bye_world', 'revert xen_bye_world'].map((t) => story.steps.find((s) => s.title === t)!.index);
  const shot = screenshot(html, key, join(OUT, 'teach-debian.png'));
  say(shot ? `wrote ${relative(process.cwd(), shot)} (steps ${key.join(', ')} at 1400 px)` : 'no screenshot: /usr/bin/chromium is not installed');
}

/** The page with only the given steps shown, rendered by headless Chromium. */
function screenshot(html: string, steps: number[], png: string): string | undefined {
  if (!existsSync('/usr/bin/chromium')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'xlp-demo-'));
  try {
    const keep = steps.map((n) => `:not(#step-${n})`).join('');
    const page = join(dir, 'shot.html');
    writeFileSync(page, html.replace('</style>', `header, section.step${keep} { display: none; }</style>`));
    execFileSync('/usr/bin/chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--hide-scrollbars', '--virtual-time-budget=5000', `--user-data-dir=${join(dir, 'profile')}`,
      '--window-size=1400,4700', `--screenshot=${png}`, `file://${page}`,
    ], { stdio: 'ignore', timeout: 120_000 });
    return png;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SECTIONS: Section[] = [
  { title: 'two images, real hypervisor code', run: images },
  { title: 'faults fixed up through exception tables', run: faults },
  { title: "live patching step by step, on Debian's Xen 4.17", run: livePatching },
  { title: "hypercalls in Xen's context, and xlp diff on a fix of do_xen_version", run: diffDemo },
];

async function main(): Promise<void> {
  await initDisassembler();
  const imgs: Images = { builtin: bootImage('builtin'), debian: bootImage('debian') };
  try {
    for (const s of SECTIONS) {
      say(`== ${s.title}`);
      await s.run(imgs);
      say();
    }
  } finally {
    imgs.builtin.machine.close();
    imgs.debian.machine.close();
  }
}

await main();

// The README's examples, as written: the library example is examples/readme.test.ts word for word; the shell
// session, the messages, the scenario and the check file are taken from the README and run here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseChecks } from '../cli/explore/checks.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { xlp } from './helpers/cli.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The first fenced block of `lang` after `heading` (a line of the README). */
function block(after: string, lang: string): string {
  const from = readme.indexOf(after);
  expect(from, `README has ${after}`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf(`\`\`\`${lang}\n`, from) + lang.length + 4;
  return readme.slice(open, readme.indexOf('```', open));
}

/** A shell line as xlp's argv (the README's lines use no quoting). */
const argv = (line: string): string[] => line.replace(/#.*$/, '').trim().split(/\s+/).slice(1);

describe('README', () => {
  const saved = process.env.XLP_STATE;
  afterEach(() => {
    if (saved === undefined) delete process.env.XLP_STATE;
    else process.env.XLP_STATE = saved;
  });

  it('shows the example that examples/readme.test.ts runs', () => {
    const example = readFileSync(join(REPO_ROOT, 'examples/readme.test.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('session: every line runs as commented (paths relative to the checkout)', async () => {
    expect(process.cwd()).toBe(REPO_ROOT);
    process.env.XLP_STATE = mkdtempSync(join(tmpdir(), 'xlp-readme-'));
    const lines = block('A session', 'sh').trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const r = await xlp(...argv(line));
      const comment = /#\s*(.*)$/.exec(line)?.[1] ?? '';
      expect(r.code, line).toBe(/exit (\d)/.test(comment) ? Number(/exit (\d)/.exec(comment)![1]) : 0);
      const quoted = /^"(.*)"$/.exec(comment)?.[1];
      if (quoted) expect(r.out, line).toContain(JSON.stringify(quoted));
      if (line.startsWith('xlp dmesg')) expect(r.out, line).toContain('livepatch: xen_hello_world finished APPLY with rc=0');
    }
  });

  it('messages: the xen-livepatch lines as shown, then the xlp: line up to its first elision', async () => {
    process.env.XLP_STATE = mkdtempSync(join(tmpdir(), 'xlp-readme-'));
    await xlp('boot', '--image', 'builtin');
    const shown = block('**Messages.**', '').trim().split('\n');
    for (let i = 0; i < shown.length; i++) {
      if (!shown[i]!.startsWith('$ ')) continue;
      const out: string[] = [];
      for (let j = i + 1; j < shown.length && !shown[j]!.startsWith('$ '); j++) out.push(shown[j]!);
      if (shown[i]!.includes('# hello under bye')) {
        await xlp('load', 'build/payloads/builtin/xen_hello_world.livepatch');
        await xlp('load', 'build/payloads/builtin/xen_bye_world.livepatch');
      }
      const r = await xlp(...argv(shown[i]!.slice(2)));
      const printed = [...r.out, ...r.err];
      for (const want of out) {
        const prefix = want.split('…')[0]!;
        expect(printed.some((l) => l.startsWith(prefix)), `${shown[i]} prints ${want}`).toBe(true);
      }
    }
  });

  it('scenario example passes', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'xlp-readme-')), 'example.yaml');
    writeFileSync(f, block('### Scenario files', 'yaml'));
    const r = await xlp('run', f);
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toMatch(/^PASS example\.yaml: 6\/6 steps/);
  });

  it('check file example is a valid --check file', () => {
    const checks = parseChecks(block('`xlp explore --check FILE`', 'yaml'), 'README');
    expect(checks.map((c) => c.call)).toEqual(['plain_answer', 'xen_extra_version']);
  });
});

// Cost of one `xlp` command on the persistent host (issue 9): `xlp list` and `xlp call xen_extra_version` on the
// Debian image with 3 payloads loaded and 200 earlier commands, in CPU time (user + system, the process and its
// threads) against `node -e 0`, measured side by side in one run, through bin/xlp as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/xlp.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { payloadPath } from '../loader/livepatch/payload-files.ts';
import { type Figure, median } from './measure.ts';

const quiet = { out: (): void => undefined, err: (l: string): void => void process.stderr.write(`${l}\n`) };

async function xlp(...argv: string[]): Promise<void> {
  const code = await main(argv, quiet);
  if (code !== 0) throw new Error(`xlp ${argv.join(' ')} exited with ${code}`);
}

/** CPU seconds of one run of `cmd` (bash's `time`: the child's user + system time, all its threads). */
function cpu(cmd: string[]): number {
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$@" >/dev/null 2>/dev/null', 'bash', ...cmd], { encoding: 'utf8' });
  const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  return Number(m[1]) + Number(m[2]);
}

/** The history a user's script leaves: 3 payloads loaded, then 200 more commands (calls, lists, a load cycle). */
async function prepare(dir: string): Promise<void> {
  const st = ['--state', dir];
  await xlp('boot', '--image', 'debian', ...st);
  for (const p of ['xen_hello_world', 'xen_bye_world', 'xen_nop']) await xlp('load', payloadPath('debian', p), '--nodeps', ...st);
  for (let i = 0; i < 200; i++) {
    if (i % 2) await xlp('list', ...st);
    else await xlp('call', 'xen_extra_version', '--string', ...st);
  }
}

export async function sessionFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xlp-bench-state-'));
  try {
    await prepare(dir);
    const bin = join(REPO_ROOT, 'bin/xlp');
    const node: number[] = [];
    const list: number[] = [];
    const call: number[] = [];
    for (let i = 0; i < 15; i++) {
      node.push(cpu(['node', '-e', '0']));
      list.push(cpu([bin, 'list', '--state', dir]));
      call.push(cpu([bin, 'call', 'xen_extra_version', '--string', '--state', dir]));
    }
    const n = median(node);
    const goal = '≤ 3× node -e 0';
    return [
      { name: '`node -e 0` CPU', value: n * 1000, unit: 'ms' },
      { name: '`xlp list` CPU / `node -e 0` (Debian, 3 payloads, 200 earlier commands)', value: median(list) / n, unit: '×', goal, met: median(list) / n <= 3 },
      { name: '`xlp call xen_extra_version` CPU / `node -e 0` (same host)', value: median(call) / n, unit: '×', goal, met: median(call) / n <= 3 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Shared by the explore tests: payload files of the builtin image, explore options, xlp with captured output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExploreOptions } from '../../cli/explore/explore.ts';
import { parseChecks } from '../../cli/explore/checks.ts';
import { main } from '../../cli/xlp.ts';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';

export const file = (name: string): string => payloadPath('builtin', name);

export const PLAIN_ANSWER_CHECKS = join(REPO_ROOT, 'scenarios/checks/plain-answer.yaml');

/** The planted load-order bug: jmp then nop kills the jump; the check file catches it. */
export function plantedBug(extra: Partial<ExploreOptions> = {}): ExploreOptions {
  return {
    image: 'builtin', payloads: [file('xlp_order_jmp'), file('xlp_order_nop')], mode: 'all', nodeps: true,
    checks: parseChecks(readFileSync(PLAIN_ANSWER_CHECKS, 'utf8'), PLAIN_ANSWER_CHECKS), jobs: 1, ...extra,
  };
}

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export async function xlp(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  process.exitCode = undefined; // the command sets it for the real process; it is not this test's status
  return { code, out, err };
}

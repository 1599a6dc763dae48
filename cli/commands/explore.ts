import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { NAMED_IMAGES } from '../../loader/image/index.ts';
import { type PayloadTarget, payloadPath } from '../../loader/livepatch/payload-files.ts';
import { chosenImage, imageNamedBy } from '../images.ts';
import { type UserCheck, parseChecks } from '../explore/checks.ts';
import { type WorkEstimate, WARN_ABOVE } from '../explore/estimate.ts';
import { estimate, explore, type ExploreOptions, type ExploreResult } from '../explore/explore.ts';
import { mergeReports } from '../explore/merge.ts';
import { estimateLines, progressBar } from '../explore/progress.ts';
import { jsonReport, textReport } from '../explore/report.ts';
import { writeScenarios } from '../explore/scenario-file.ts';
import { type Shard, parseShard } from '../explore/units.ts';
import { type Output, withImageOption } from '../options.ts';

interface ExploreFlags {
  image?: string;
  state?: string;
  depth?: string;
  check?: string;
  nodeps?: boolean;
  orders?: boolean;
  shard?: string;
  jobs?: string;
  json?: boolean;
  merge?: boolean;
  estimate?: boolean;
  out: string;
}

function count(v: string, flag: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${flag} takes a positive integer (got ${v})`);
  return Number(v);
}

/**
 * A payload: a path (it has a `/` or ends in `.livepatch`: relative to the current directory), or the bare name
 * of a payload `make` built for a named image.
 */
const isPath = (arg: string): boolean => arg.includes('/') || arg.endsWith('.livepatch') || existsSync(arg);

function payloadFile(arg: string, image: string): string {
  if (isPath(arg)) {
    if (!existsSync(arg)) throw new Error(`payload file ${arg} not found in ${process.cwd()}`);
    if (statSync(arg).isDirectory()) throw new Error(`${resolve(arg)} is a directory, not a payload file`);
    return resolve(arg);
  }
  const built = Object.hasOwn(NAMED_IMAGES, image) ? payloadPath(image as PayloadTarget, arg) : undefined;
  if (built && existsSync(built)) return built;
  throw new Error(`no payload ${arg}: not a file here${built ? ` nor a payload built for ${image} (${built})` : ''}`);
}

export function registerExplore(program: Command, io: Output): void {
  withImageOption(
    program
      .command('explore')
      .description(
        'explore load orders: sequences of upload/apply/revert/replace/unload over the payloads, with invariants ' +
          'checked after every step; each failure is written as a scenario that `xlp run` replays',
      )
      .argument('<payloads...>', 'payload files (a payload is named after its file, without the extension; without --image they run on the image the first one\'s xen_depends names, when xlp knows it); with --merge, the shards\' JSON reports'),
  )
    .option('--depth <n>', 'most operations in a sequence (default: 2 x payloads, plus the uploads when co-loading fails)')
    .option('--check <file>', 'YAML checks to call in every state where they apply (see cli/explore/checks.ts)')
    .option('--nodeps', 'apply with LIVEPATCH_ACTION_APPLY_NODEPS (payloads built independently against the image)')
    .option('--orders', 'only apply orders: apply every payload once, in each order, then revert them LIFO')
    .option('--shard <i/n>', 'explore only shard I of N (CI matrices; together the shards explore every sequence once)')
    .option('--jobs <n>', 'worker threads (default: one per CPU)')
    .option('--merge', 'add up the --json reports of shards (--shard I/N) given as arguments: the results of one run')
    .option('--estimate', 'print the estimated number of sequences (and advice when large) and stop')
    .option('--json', 'print the results as JSON')
    .option('--out <dir>', 'directory for the scenarios of failures', './xlp-explore')
    .action(async (args: string[], o: ExploreFlags) => {
      if (o.merge) {
        finish(io, o, () => mergeReports(args.map((file) => ({ file, json: JSON.parse(readFileSync(file, 'utf8')) as unknown }))));
        return;
      }
      let payloads: string[];
      let checks: UserCheck[] = [];
      let shard: Shard | undefined;
      let depth: number | undefined;
      let jobs: number | undefined;
      let image: string;
      try {
        // Without --image, payload files run on the image their xen_depends names (the only one they load on).
        const named = o.image === undefined && isPath(args[0]!) && existsSync(args[0]!) ? imageNamedBy(args[0]!) : undefined;
        image = named ?? chosenImage(o);
        payloads = args.map((a) => payloadFile(a, image));
        if (o.check) checks = parseChecks(readFileSync(o.check, 'utf8'), o.check);
        if (o.shard) shard = parseShard(o.shard);
        if (o.depth) depth = count(o.depth, '--depth');
        if (o.jobs) jobs = count(o.jobs, '--jobs');
      } catch (e) {
        io.err(`xlp explore: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      const opts: ExploreOptions = { image, payloads, depth, mode: o.orders ? 'orders' : 'all', nodeps: !!o.nodeps, checks, jobs, shard };
      const tell = (e: WorkEstimate): void => estimateLines(e, WARN_ABOVE).forEach((l) => io.err(`xlp explore: ${l}`));
      if (o.estimate) {
        const e = estimate(opts);
        estimateLines(e, WARN_ABOVE).forEach((l) => io.out(l));
        process.exitCode = 0;
        return;
      }
      const bar = progressBar(!o.json);
      let r: ExploreResult;
      try {
        r = await explore({ ...opts, onEstimate: (e) => e.advice && tell(e), onProgress: bar && ((p) => bar.update(p)) });
      } finally {
        bar?.stop();
      }
      finish(io, o, () => r);
    });
}

/** Scenarios of the failures, the report, the exit code (1 with any failure). */
function finish(io: Output, o: ExploreFlags, result: () => ExploreResult): void {
  let r: ExploreResult;
  try {
    r = result();
  } catch (e) {
    io.err(`xlp explore: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const files = writeScenarios(r, o.out);
  if (o.json) io.out(jsonReport(r, files));
  else textReport(r, files).forEach((l) => io.out(l));
  process.exitCode = r.failures.length ? 1 : 0;
}

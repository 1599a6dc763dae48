import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { FileError } from '../files/yaml-file.ts';
import type { Output } from '../options.ts';
import { jsonReport, junitReport, textReport } from '../scenario/report.ts';
import { type ScenarioResult, runScenario } from '../scenario/runner.ts';
import { parseScenario } from '../scenario/schema.ts';

/** A file that could not be run (missing, unreadable, invalid): reported, and failed in JSON and JUnit. */
function notRun(file: string, error: string): ScenarioResult {
  return { scenario: { name: basename(file), image: '', steps: [], file }, ok: false, steps: [], error, ms: 0 };
}

/** Read and check one scenario file; each problem is printed compiler-style on stderr. */
function load(file: string, io: Output): ScenarioResult | ReturnType<typeof parseScenario> {
  if (!existsSync(file)) return notRun(file, `${file}: no such file`);
  if (statSync(file).isDirectory()) return notRun(file, `${file} is a directory; give the scenario files (*.yaml)`);
  try {
    return parseScenario(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    return notRun(file, e.message);
  }
}

export function registerRun(program: Command, io: Output): void {
  program
    .command('run')
    .description(
      'run scenario files (YAML, see README): each file is checked before it runs and reported on its own; ' +
        "a step's first mismatch fails its scenario; exit 1 if any file fails",
    )
    .argument('<files...>')
    .option('--json', 'print the results as JSON (format in README, `version` field)')
    .option('--junit <file>', 'also write the results as JUnit XML (written even when some files fail)')
    .action(async (files: string[], o: { json?: boolean; junit?: string }) => {
      await initDisassembler(); // for `domain:` steps on an image outside Xen's layout table (searched by instruction)
      const results: ScenarioResult[] = [];
      for (const f of files) {
        const sc = load(f, io);
        let r: ScenarioResult;
        if ('ok' in sc) {
          r = sc;
          for (const l of r.error!.split('\n')) io.err(`xlp run: ${l}`);
          if (!o.json) io.out(`FAIL ${r.scenario.name}: not run`);
        } else {
          r = runScenario(sc);
          if (!o.json) textReport(r).forEach((l) => io.out(l));
        }
        results.push(r);
      }
      if (o.json) io.out(jsonReport(results));
      if (o.junit) writeFileSync(o.junit, junitReport(results));
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    });
}

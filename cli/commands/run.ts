import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Output } from '../options.ts';
import { jsonReport, junitReport, textReport } from '../scenario/report.ts';
import { type ScenarioResult, runScenario } from '../scenario/runner.ts';
import { ScenarioError, parseScenario } from '../scenario/schema.ts';

export function registerRun(program: Command, io: Output): void {
  program
    .command('run')
    .description('run scenario files (YAML): each step is checked; the first mismatch fails the scenario')
    .argument('<files...>')
    .option('--json', 'print the results as JSON')
    .option('--junit <file>', 'also write the results as JUnit XML')
    .action((files: string[], o: { json?: boolean; junit?: string }) => {
      const results: ScenarioResult[] = [];
      for (const f of files) {
        let sc;
        try {
          sc = parseScenario(readFileSync(f, 'utf8'), f);
        } catch (e) {
          if (e instanceof ScenarioError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
            io.err(`xlp run: ${(e as Error).message}`);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
        const r = runScenario(sc);
        results.push(r);
        if (!o.json) textReport(r).forEach((l) => io.out(l));
      }
      if (o.json) io.out(jsonReport(results));
      if (o.junit) writeFileSync(o.junit, junitReport(results));
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    });
}

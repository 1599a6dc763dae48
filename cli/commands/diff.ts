import { existsSync } from 'node:fs';
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isDomainKind } from '../../emulator/xen/context/domains.ts';
import { runDiff } from '../diff/engine.ts';
import { Expectations } from '../diff/expect.ts';
import { readInputsFile } from '../diff/inputs-file.ts';
import { jsonReport, textReport, writeScenarios } from '../diff/report.ts';
import { imageNamedBy } from '../images.ts';
import { IMAGE_OPTION_HELP, type Output } from '../options.ts';

interface DiffCliOptions {
  image?: string;
  function?: string[];
  count: string;
  seed: string;
  inputs?: string;
  expect?: string;
  domain?: string;
  nodeps?: boolean;
  json?: boolean;
  out: string;
}

function nonNegative(v: string, flag: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`${flag} takes a non-negative integer (got ${v})`);
  return Number(v);
}

export function registerDiff(program: Command, io: Output): void {
  program
    .command('diff')
    .description('run each patched function before and after applying the payloads on the same inputs, and report where they differ')
    .argument('<payloads...>', 'payload files, uploaded then applied in this order')
    .option('--image <image>', `${IMAGE_OPTION_HELP} (default: the image the first payload's xen_depends names)`)
    .option('--function <name>', 'run this function instead of the patched ones (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--count <n>', 'random inputs per function, besides the boundary values', '100')
    .option('--seed <n>', 'seed of the random inputs', '1')
    .option('--inputs <file>', 'YAML: signatures and listed inputs (see docs/diff.md)')
    .option('--expect <file>', 'YAML: intended divergences; exit 1 only on the others')
    .option('--domain <kind>', 'the current vCPU\'s domain: control or guest (default: control, on an image xlp can make Xen\'s context for; else none)')
    .option('--nodeps', 'apply with LIVEPATCH_ACTION_APPLY_NODEPS')
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', 'directory for the scenarios of divergences', './xlp-diff')
    .action(async (files: string[], o: DiffCliOptions) => {
      await initDisassembler(); // Xen's context: an image not in the layout table is searched by its instructions
      const payloads = files.map((f) => {
        if (!existsSync(f)) throw new Error(`payload file ${f} not found`);
        return resolve(f);
      });
      if (o.domain !== undefined && !isDomainKind(o.domain)) throw new Error(`--domain takes control or guest (got ${o.domain})`);
      const image = o.image ?? imageNamedBy(payloads[0]!);
      if (!image) throw new Error(`${files[0]} names no image xlp knows (its xen_depends): give --image`);
      const r = runDiff({
        image, payloads, functions: o.function, count: nonNegative(o.count, '--count'), seed: nonNegative(o.seed, '--seed'),
        ...(o.domain ? { domain: o.domain } : {}), nodeps: !!o.nodeps,
        ...(o.inputs ? { inputs: readInputsFile(o.inputs) } : {}),
        ...(o.expect ? { expect: Expectations.read(o.expect) } : {}),
      });
      const scenarios = writeScenarios(r, o.out);
      if (o.json) io.out(jsonReport(r, scenarios));
      else textReport(r, scenarios).forEach((l) => io.out(l));
      process.exitCode = r.unexpected ? 1 : 0;
    });
}

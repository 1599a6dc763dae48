// `xlp lint PAYLOAD... [--image IMAGE]`: payload/image mismatches that break live patches (loader/lint/README.md).
import type { Command } from 'commander';
import { resolveImage } from '../../loader/image/paths.ts';
import {
  LintImage, formatExpectations, formatFigures, formatText, imageFigures, lintImage, toJson,
} from '../../loader/lint/index.ts';
import { chosenImage } from '../images.ts';
import { type Output, withImageOption } from '../options.ts';

interface LintOptions {
  image?: string;
  state?: string;
  json?: boolean;
  writeExpectations?: boolean;
  stats?: boolean;
  together?: boolean;
}

export function registerLint(program: Command, io: Output): void {
  withImageOption(program.command('lint'))
    .description('check payloads against an image before loading them (without payloads: the image alone)')
    .argument('[payloads...]', 'payload files, each linted against the image alone (see --together)')
    .option('--together', 'the payloads are loaded together, in the order given: later ones may link against and stack ' +
      'on earlier ones, and their exported names must not collide')
    .option('--json', 'print the report as JSON')
    .option('--write-expectations', 'print the expected old code of every patched function as C initialisers')
    .option('--stats', 'also print counts for the image (functions, ENDBR64, numbered locals, clones)')
    .action((payloads: string[], o: LintOptions) => {
      const image = LintImage.load(resolveImage(chosenImage(o)));
      const report = lintImage(image, payloads, { together: !!o.together });
      const figures = o.stats ? imageFigures(image) : undefined;
      if (o.json) {
        const data = toJson(report) as Record<string, unknown>;
        io.out(JSON.stringify(figures ? { ...data, figures } : data, null, 2));
      } else if (o.writeExpectations) {
        formatExpectations(report).forEach((l) => io.out(l));
      } else {
        if (figures) [...formatFigures(figures), ''].forEach((l) => io.out(l));
        formatText(report).forEach((l) => io.out(l));
      }
      process.exitCode = report.summary.errors > 0 ? 1 : 0;
    });
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderStoryHtml } from '../explain/html.ts';
import { recordStory } from '../explain/story.ts';
import { storyText } from '../explain/text.ts';
import type { Output } from '../options.ts';
import { FileError } from '../files/yaml-file.ts';
import { parseScenario } from '../scenario/schema.ts';

export function registerExplain(program: Command, io: Output): void {
  program
    .command('explain')
    .description('tell a scenario step by step: states, stack, patched bytes, console, traced calls (--html: one page for teaching)')
    .argument('<scenario>', 'a scenario file (YAML), as `xlp run` takes')
    .option('--html <file>', 'write the story as one self-contained HTML page')
    .action(async (file: string, o: { html?: string }) => {
      let sc;
      try {
        sc = parseScenario(readFileSync(file, 'utf8'), file);
      } catch (e) {
        if (e instanceof FileError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
          io.err(`xlp explain: ${(e as Error).message}`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
      const story = await recordStory(sc);
      for (const l of storyText(story)) io.out(l);
      if (o.html) {
        writeFileSync(o.html, renderStoryHtml(story));
        io.out(`wrote ${o.html}`);
      }
      process.exitCode = story.ok ? 0 : 1;
    });
}

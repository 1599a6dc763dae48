// README's library example is examples/readme.test.ts, word for word (so it is run as a test, too).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../loader/image/index.ts';

it('README shows the example that examples/readme.test.ts runs', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const example = readFileSync(join(REPO_ROOT, 'examples/readme.test.ts'), 'utf8');
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
});

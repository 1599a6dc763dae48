// `make bench`: every benchmark, printed as one markdown table (copied into README.md).
import { foundationFigures } from './foundation.ts';
import { exploreFigures } from './explore.ts';
import { lintFigures } from './lint.ts';
import { diffFigures } from './diff.ts';
import { livepatchFigures } from './livepatch.ts';
import { type Figure, formatTable } from './measure.ts';
import { sessionFigures } from './session.ts';

const only = process.argv[2];
const groups: Record<string, () => Figure[] | Promise<Figure[]>> = {
  foundation: foundationFigures, livepatch: livepatchFigures, lint: lintFigures, explore: exploreFigures, session: sessionFigures,
  diff: diffFigures,
};
const figures: Figure[] = [];
for (const [k, f] of Object.entries(groups)) if (!only || k === only) figures.push(...(await f()));
console.log(formatTable(figures));

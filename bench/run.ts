// `make bench`: every benchmark, printed as one markdown table (copied into README.md).
import { foundationFigures } from './foundation.ts';
import { exploreFigures } from './explore.ts';
import { lintFigures } from './lint.ts';
import { livepatchFigures } from './livepatch.ts';
import { formatTable } from './measure.ts';

const only = process.argv[2];
const groups = { foundation: foundationFigures, livepatch: livepatchFigures, lint: lintFigures, explore: exploreFigures };
const figures = Object.entries(groups).filter(([k]) => !only || k === only).flatMap(([, f]) => f());
console.log(formatTable(figures));

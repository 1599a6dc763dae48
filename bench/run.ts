// `make bench`: every benchmark, printed as one markdown table (copied into README.md).
import { foundationFigures } from './foundation.ts';
import { formatTable } from './measure.ts';

const figures = [...foundationFigures()];
console.log(formatTable(figures));

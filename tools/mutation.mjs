// `make mutation`: Stryker through its API. Its CLI (which the package's index also loads) refuses Node < 22
// outright; the runner itself works on the Node 20 this project targets, so the Stryker class is loaded from
// its own file. MUTATE=file,file narrows the mutated files (stryker.config.mjs has the full set).
const { Stryker } = await import(new URL('../node_modules/@stryker-mutator/core/dist/src/stryker.js', import.meta.url).href);

const mutate = process.env.MUTATE ? process.env.MUTATE.split(',').filter(Boolean) : undefined;
const results = await new Stryker(mutate ? { mutate } : {}).runMutationTest();
const killed = results.filter((r) => r.status === 'Killed' || r.status === 'Timeout').length;
const counted = results.filter((r) => !['CompileError', 'RuntimeError', 'Ignored'].includes(r.status)).length;
console.log(`mutation score: ${counted ? ((100 * killed) / counted).toFixed(1) : '-'}% (${killed} of ${counted} mutants killed)`);

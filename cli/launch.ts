// How bin/xlp starts the bundled command (dist/bin/xlp.cjs) with V8's code cache: compiling the bundle and the
// functions a command runs costs a cold start ~12 ms of CPU, which a cache made by the build skips (issue 9's
// cost goal). The cache is only a hint: V8 checks it against its own version, flags and the source, and a
// rejected, missing or unreadable cache just means compiling as usual.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

export interface LaunchedBundle {
  exports: { runCommand(opts?: { beforeExit?: () => void }): Promise<void> };
  /** V8 refused the cache (another Node, other flags, a changed bundle), or there was none. */
  cacheRejected: boolean;
  /** Write what V8 compiled so far (the build's training run calls it after a representative command). */
  writeCache(): void;
}

export function launch(bundle: string, cache = `${bundle}.cache`): LaunchedBundle {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const module = { exports: {} as LaunchedBundle['exports'] };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return {
    exports: module.exports,
    cacheRejected: cachedData === undefined || script.cachedDataRejected === true,
    writeCache: () => {
      const tmp = `${cache}.tmp-${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cache);
    },
  };
}

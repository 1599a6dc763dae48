// Stories recorded once per file, and facts about the images taken from binutils (independent of xlp's reader).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Story, recordStory } from '../../cli/explain/story.ts';
import { parseScenario } from '../../cli/scenario/schema.ts';
import { REPO_ROOT, resolveImage } from '../../loader/image/index.ts';

export async function story(file: string): Promise<Story> {
  const path = join(REPO_ROOT, 'scenarios', file);
  return recordStory(parseScenario(readFileSync(path, 'utf8'), path));
}

/** The address of a symbol, from nm. */
export function nmAddress(image: string, symbol: string): bigint {
  const line = execFileSync('nm', [resolveImage(image)], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n').find((l) => l.endsWith(` ${symbol}`) && / [tT] /.test(l));
  if (!line) throw new Error(`nm: no ${symbol}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** `n` bytes of the image file at `address`, from objdump -s. */
export function objdumpBytes(image: string, address: bigint, n: number): string {
  const out = execFileSync('objdump', ['-s', `--start-address=0x${address.toString(16)}`, `--stop-address=0x${(address + BigInt(n)).toString(16)}`, resolveImage(image)], { encoding: 'utf8' });
  const hex = out.split('\n').filter((l) => /^ [0-9a-f]{8,16} /.test(l)).map((l) => l.slice(1).split(/\s+/).slice(1, 5).join('')).join('');
  return hex.slice(0, 2 * n).replace(/(..)(?!$)/g, '$1 ');
}

/** E9 rel32 from `site` to `target`, worked out by hand. */
export function jumpHex(site: bigint, target: bigint): string {
  const rel = BigInt.asUintN(32, target - (site + 5n));
  return ['e9', ...[0n, 8n, 16n, 24n].map((s) => ((rel >> s) & 0xffn).toString(16).padStart(2, '0'))].join(' ');
}

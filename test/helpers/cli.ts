// Run the xlp command in-process with captured output.
import { main } from '../../cli/xlp.ts';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export async function xlp(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

// Timing helpers: medians of repeated runs, measured side by side in one process (the machine is shared).

export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  /** True when the goal is met (undefined when there is no goal). */
  met?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time in ms of `runs` runs of fn. */
export function timeMs(fn: () => void, runs = 5): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [f.name, `${f.value < 10 ? f.value.toFixed(2) : f.value.toFixed(1)} ${f.unit}`, f.goal ?? '', f.met === undefined ? '' : f.met ? 'yes' : 'no']);
  const head = ['benchmark', 'result', 'goal', 'met'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

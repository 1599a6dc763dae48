// Scenario results as text (for people), JSON (for machines) and JUnit XML (for CI).
import type { ScenarioResult } from './runner.ts';

export function textReport(r: ScenarioResult): string[] {
  const lines = [`scenario ${r.scenario.name} (${r.scenario.image}): ${r.scenario.steps.length} steps`];
  for (const s of r.steps) {
    const exp = s.step.expect.errno ? ` -> ${s.step.expect.errno}` : '';
    lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${String(s.step.index).padStart(3)} ${s.description}${exp}`);
    for (const m of s.mismatches) lines.push(`         ${m}`);
  }
  if (r.error) lines.push(`  error: ${r.error}`);
  const done = r.steps.filter((s) => s.ok).length;
  lines.push(`${r.ok ? 'PASS' : 'FAIL'} ${r.scenario.name}: ${done}/${r.scenario.steps.length} steps (${r.ms.toFixed(0)} ms)`);
  return lines;
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v);

export function jsonReport(results: ScenarioResult[]): string {
  return JSON.stringify(
    {
      ok: results.every((r) => r.ok),
      scenarios: results.map((r) => ({
        name: r.scenario.name, file: r.scenario.file, image: r.scenario.image, ok: r.ok, error: r.error, ms: r.ms,
        steps: r.steps.map((s) => ({ index: s.step.index, step: s.description, ok: s.ok, mismatches: s.mismatches, outcome: s.outcome })),
      })),
    },
    big,
    1,
  );
}

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junitReport(results: ScenarioResult[]): string {
  const suites = results.map((r) => {
    const cases = r.scenario.steps.map((step) => {
      const s = r.steps.find((x) => x.step === step);
      const name = xml(`${step.index} ${s?.description ?? step.op}`);
      const open = `    <testcase classname="${xml(r.scenario.name)}" name="${name}" time="${((s?.ms ?? 0) / 1000).toFixed(4)}"`;
      if (!s) return `${open}><skipped/></testcase>`;
      if (s.ok) return `${open}/>`;
      return `${open}><failure message="${xml(s.mismatches[0] ?? '')}">${xml(s.mismatches.join('\n'))}</failure></testcase>`;
    });
    if (r.error) cases.push(`    <testcase classname="${xml(r.scenario.name)}" name="setup"><error message="${xml(r.error)}"/></testcase>`);
    const failures = r.steps.filter((s) => !s.ok).length;
    return `  <testsuite name="${xml(r.scenario.name)}" tests="${cases.length}" failures="${failures}" errors="${r.error ? 1 : 0}" skipped="${r.scenario.steps.length - r.steps.length}" time="${(r.ms / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = results.reduce((n, r) => n + r.steps.filter((s) => !s.ok).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.reduce((n, r) => n + r.scenario.steps.length, 0)}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

// Scenario results as text (for people), JSON (for machines; format in README) and JUnit XML (for CI).
import { type ScenarioResult, type StepResult, describeStep, stepWhere } from './runner.ts';

/** Version of the JSON below: bumped when a field changes meaning or goes away. */
export const RUN_JSON_VERSION = 1;

export function textReport(r: ScenarioResult): string[] {
  const lines = [`scenario ${r.scenario.name} (${r.scenario.image}): ${r.scenario.steps.length} steps`];
  for (const s of r.steps) {
    const exp = s.step.expect.errno ? ` -> ${s.step.expect.errno}` : '';
    lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${String(s.step.index).padStart(3)} ${s.description}${exp}`);
    for (const m of s.mismatches) lines.push(`         ${m}`);
    if (!s.ok) lines.push(`         at ${stepWhere(r.scenario, s.step)}`);
  }
  if (r.error) lines.push(`  error: ${r.error}`);
  const done = r.steps.filter((s) => s.ok).length;
  lines.push(`${r.ok ? 'PASS' : 'FAIL'} ${r.scenario.name}: ${done}/${r.scenario.steps.length} steps (${r.ms.toFixed(0)} ms)`);
  return lines;
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v);
/** Milliseconds to a tenth: enough for timings, no float noise. */
export const roundMs = (ms: number): number => Math.round(ms * 10) / 10;

export function jsonReport(results: ScenarioResult[]): string {
  return JSON.stringify(
    {
      version: RUN_JSON_VERSION,
      ok: results.every((r) => r.ok),
      scenarios: results.map((r) => ({
        name: r.scenario.name, file: r.scenario.file, image: r.scenario.image, ok: r.ok, error: r.error, ms: roundMs(r.ms),
        steps: r.steps.map((s) => ({
          index: s.step.index, line: s.step.line, step: s.description, ok: s.ok, mismatches: s.mismatches, outcome: s.outcome, ms: roundMs(s.ms),
        })),
      })),
    },
    big,
    1,
  );
}

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** What the step printed on the guest console, and the fault report if it faulted. */
function systemOut(s: StepResult): string {
  const lines = [...s.outcome.console];
  if (s.outcome.fault) lines.push(`fault: ${s.outcome.message ?? s.outcome.fault.reason} (vector ${s.outcome.fault.vector} at ${s.outcome.fault.where})`);
  return lines.length ? `<system-out>${xml(lines.join('\n'))}</system-out>` : '';
}

export function junitReport(results: ScenarioResult[]): string {
  const suites = results.map((r) => {
    const cases = r.scenario.steps.map((step) => {
      const s = r.steps.find((x) => x.step === step);
      const name = xml(`${step.index} ${describeStep(step)}`);
      const open = `    <testcase classname="${xml(r.scenario.name)}" name="${name}" time="${((s?.ms ?? 0) / 1000).toFixed(4)}"`;
      if (!s) return `${open}><skipped/></testcase>`;
      const out = systemOut(s);
      if (s.ok) return out ? `${open}>${out}</testcase>` : `${open}/>`;
      return `${open}><failure message="${xml(s.mismatches[0] ?? '')}">${xml(s.mismatches.join('\n'))}</failure>${out}</testcase>`;
    });
    if (r.error) cases.push(`    <testcase classname="${xml(r.scenario.name)}" name="setup"><error message="${xml(r.error.split('\n')[0]!)}">${xml(r.error)}</error></testcase>`);
    const failures = r.steps.filter((s) => !s.ok).length;
    return `  <testsuite name="${xml(r.scenario.name)}" tests="${cases.length}" failures="${failures}" errors="${r.error ? 1 : 0}" skipped="${r.scenario.steps.length - r.steps.length}" time="${(r.ms / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = results.reduce((n, r) => n + r.steps.filter((s) => !s.ok).length, 0);
  const errors = results.filter((r) => r.error).length;
  const tests = results.reduce((n, r) => n + r.scenario.steps.length + (r.error ? 1 : 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`;
}

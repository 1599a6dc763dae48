// Invariants 2 and 3 catch loader bugs: a host that skips a refusal, or writes a NOP patch wrongly, is found,
// and the written scenario fails at its last step on such a host while the real host passes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnitExplorer } from '../../cli/explore/engine.ts';
import { type FailureRecord, mergeFailures } from '../../cli/explore/failures.ts';
import { type Root, scenarioText } from '../../cli/explore/scenario-file.ts';
import { Session } from '../../cli/explore/session.ts';
import { listUnits } from '../../cli/explore/units.ts';
import { runScenario } from '../../cli/scenario/runner.ts';
import { parseScenario } from '../../cli/scenario/schema.ts';
import { bootImage } from '../../loader/boot.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { file } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-explore-inv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Bug = (h: LivepatchHost) => void;

/** Explore on a host with a bug planted in the loader; the session is closed after. */
function exploreBuggy(payloads: string[], bug: Bug): { failures: FailureRecord[]; root: Root } {
  const s = new Session({ image: 'builtin', payloads: payloads.map(file), mode: 'all', nodeps: true, checks: [], depth: 3 });
  try {
    bug(s.host);
    return { failures: mergeFailures(listUnits(s).map((u) => new UnitExplorer(s, u).run().failures)), root: { image: 'builtin', steps: s.root.steps } };
  } finally {
    s.close();
  }
}

/** Replay a failure's scenario on a fresh host, with or without the bug: the index of the failing step. */
function replay(root: Root, f: FailureRecord, bug?: Bug): number | undefined {
  const path = join(tmp, `${f.key.replace(/\W+/g, '-')}.yaml`);
  const text = scenarioText(root, f, 1, tmp);
  writeFileSync(path, text);
  const host = new LivepatchHost(bootImage('builtin'));
  try {
    bug?.(host);
    const r = runScenario(parseScenario(text, path), { host });
    return r.steps.find((s) => !s.ok)?.step.index;
  } finally {
    host.machine.close();
  }
}

/** REVERT of a payload below the top succeeds instead of -EBUSY (and does nothing). */
const noEbusy: Bug = (h) => {
  const action = h.action.bind(h);
  h.action = (name, a, o) => {
    if (a === 'REVERT' && h.appliedStack.some((p) => p.name === name) && h.appliedStack.at(-1)!.name !== name) return;
    action(name, a, o);
  };
};

/** A NOP patch whose first byte comes out wrong (0x90 instead of 0x0f). */
const badNop: Bug = (h) => {
  const idle = h.idle.bind(h);
  const at = h.image.symbol('plain_answer');
  h.idle = () => {
    idle();
    if (h.machine.read(at, 1)[0] === 0x0f) h.machine.write(at, Uint8Array.of(0x90));
  };
};

describe('invariant 3: what the model of Xen predicts', () => {
  it('catches a refusal the loader forgot, with the shortest sequence', () => {
    const { failures, root } = exploreBuggy(['xlp_warn', 'xlp_endbr'], noEbusy);
    // Once per payload that can be under the top, each with its own shortest sequence.
    expect(failures.map((f) => f.key)).toEqual(['3:revert xlp_warn:errno EBUSY->none', '3:revert xlp_endbr:errno EBUSY->none']);
    const f = failures[0]!;
    expect(f.steps.map((s) => `${s.op} ${s.target}`)).toEqual(['apply xlp_warn', 'apply xlp_endbr']);
    expect(f.final).toMatchObject([{ op: 'revert', target: 'xlp_warn', expect: { errno: 'EBUSY', state: 'APPLIED', rc: 0 } }]);
    expect(f.message).toMatch(/^expected errno EBUSY, got success/);
    const last = root.steps.length + f.steps.length + 1;
    expect(replay(root, f, noEbusy)).toBe(last);
    expect(replay(root, f)).toBeUndefined();
  });
});

describe('invariant 2: patched text as the applied stack implies', () => {
  it('catches a wrong NOP byte; the scenario reads the bytes back as a string from memset(addr, 0, 0)', () => {
    const { failures, root } = exploreBuggy(['xlp_order_nop'], badNop);
    const text = failures.find((f) => f.invariant === 2)!;
    expect(text.key).toBe('2:plain_answer');
    expect(text.message).toBe('plain_answer: expected 0f 1f 44 00 00, found 90 1f 44 00 00 (first difference at plain_answer+0x0)');
    expect(text.steps.map((s) => `${s.op} ${s.target}`)).toEqual(['apply xlp_order_nop']);
    expect(text.final).toMatchObject([{ op: 'call', target: 'memset', expect: { string: '\x0f\x1f\x44' } }]);
    const last = root.steps.length + text.steps.length + 1;
    expect(replay(root, text, badNop)).toBe(last);
    expect(replay(root, text)).toBeUndefined();
    // The wrong byte is an invalid instruction: calling plain_answer faults too (invariant 1).
    expect(failures.find((f) => f.invariant === 1)?.message).toMatch(/^guest fault: #UD/);
  });
});

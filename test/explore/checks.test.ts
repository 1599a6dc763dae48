// --check files: what they may say, when a check is due, and the errors for what they may not say.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkApplies, describeCheck, parseChecks } from '../../cli/explore/checks.ts';
import { PLAIN_ANSWER_CHECKS } from './helpers.ts';

describe('check files', () => {
  it('reads the shipped plain-answer checks', () => {
    const [c, ...rest] = parseChecks(readFileSync(PLAIN_ANSWER_CHECKS, 'utf8'));
    expect(rest).toEqual([]);
    expect(c).toEqual({ index: 1, line: 5, when: { applied: ['xlp_order_jmp'] }, call: 'plain_answer', args: [], returns: 43n });
    expect(describeCheck(c!)).toBe('plain_answer() returns 43 when xlp_order_jmp applied');
  });

  it('takes strings, arguments, hex, `top` and no `when`', () => {
    const checks = parseChecks([
      'checks:',
      '  - when: { top: xen_bye_world }',
      '    call: xen_extra_version',
      '    string: Bye World!',
      '  - call: plain_add',
      '    args: [2, "0x10"]',
      '    returns: 0x12',
    ].join('\n'));
    expect(checks[0]).toMatchObject({ when: { applied: [], top: 'xen_bye_world' }, string: 'Bye World!' });
    expect(checks[1]).toMatchObject({ when: { applied: [] }, args: [2n, 16n], returns: 18n });
    expect(checkApplies(checks[0]!, ['xen_hello_world', 'xen_bye_world'])).toBe(true);
    expect(checkApplies(checks[0]!, ['xen_bye_world', 'xen_hello_world'])).toBe(false);
    expect(checkApplies(checks[1]!, [])).toBe(true);
  });

  it.each([
    ['checks: 3', /a mapping with a `checks:` list/],
    ['checks:\n  - call: f', /give `returns:` or `string:`/],
    ['checks:\n  - call: f\n    returns: x', /expected an integer/],
    ['checks:\n  - call: f\n    returns: 1\n    bogus: 2', /unknown key `bogus`/],
    ['checks:\n  - when: { stacked: [a] }\n    call: f\n    returns: 1', /unknown key `stacked`/],
    ['checks: [', /not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseChecks(text, 'c.yaml')).toThrow(message);
  });
});

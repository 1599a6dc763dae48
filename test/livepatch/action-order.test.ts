// livepatch_action()'s order of checks (common/livepatch.c, 4.17): pad, the name (get_name), the payload
// (-ENOENT), work already scheduled for it (-EBUSY), and only then the command (-EOPNOTSUPP for an unknown one).
import { afterAll, describe, expect, it } from 'vitest';
import { errnoOf, newHost, payloadBytes } from '../helpers/host.ts';

describe('ACTION check order', () => {
  const h = newHost('builtin');
  afterAll(() => h.machine.close());
  h.upload('xen_hello_world', payloadBytes('builtin', 'xen_hello_world'));

  it('a bad name is -EINVAL before anything else, even with an unknown command', () => {
    expect(errnoOf(() => h.action('x'.repeat(128), 99))).toBe('EINVAL'); // 129 bytes with the NUL
  });

  it('an unknown payload is -ENOENT whatever the command', () => {
    expect(errnoOf(() => h.action('nope', 99))).toBe('ENOENT');
  });

  it('an unknown command on a known payload is -EOPNOTSUPP', () => {
    expect(errnoOf(() => h.action('xen_hello_world', 99))).toBe('EOPNOTSUPP');
  });

  it('work pending for the payload is -EBUSY before the command is looked at', () => {
    h.action('xen_hello_world', 'APPLY');
    expect(errnoOf(() => h.action('xen_hello_world', 99))).toBe('EBUSY');
    h.idle();
    expect(h.get('xen_hello_world')).toEqual({ state: 'APPLIED', rc: 0 });
  });
});

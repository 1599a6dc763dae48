import { expect, test } from 'vitest';
import { boot, builtPayload } from 'xlp';

test('live-patch Debian Xen 4.17, for real', () => {
  const xen = boot('debian');
  xen.upload('hello', builtPayload('debian', 'xen_hello_world'));
  xen.actionAndWait('hello', 'APPLY');
  expect(xen.callString('xen_extra_version')).toBe('Hello World');
  xen.actionAndWait('hello', 'REVERT');
  expect(xen.callString('xen_extra_version')).toBe('.7');
});

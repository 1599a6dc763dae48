// The CPU layer is generic (as Qiling's arch is apart from its os): it imports nothing of the Xen layer or
// the loader, and a bare Cpu runs code and reports faults without any environment.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cpu, STACK_BASE } from '../../emulator/cpu/cpu.ts';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { REPO_ROOT } from '../../loader/image/paths.ts';

const CPU_DIR = join(REPO_ROOT, 'emulator/cpu');

describe('emulator layers', () => {
  it('the CPU layer imports only itself and packages, and names nothing of Xen in its code', () => {
    for (const f of readdirSync(CPU_DIR).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(CPU_DIR, f), 'utf8');
      for (const [, spec] of src.matchAll(/from '([^']+)'/g)) expect(spec, `${f} imports ${spec}`).toMatch(/^(\.\/|node:|koffi$|capstone-wasm$)/);
      const code = src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      expect(code, f).not.toMatch(/xen|cpu_info|bug.?frame|ex_table/i);
    }
  });

  it('a bare Cpu calls code and turns an exception into a fault report with no handler', () => {
    const cpu = new Cpu();
    try {
      const text = 0xffff800000200000n;
      cpu.map(text, 0x1000, 'rx');
      cpu.write(text, Buffer.from([0x48, 0x8d, 0x04, 0x37, 0xc3, 0x0f, 0x0b])); // lea (%rdi,%rsi),%rax; ret; ud2
      expect(cpu.call(text, [40, 2])).toBe(42n);
      expect(cpu.stackTop).toBe(STACK_BASE + 0x8000n); // no reserve without an environment
      const e = (() => {
        try {
          cpu.call(text + 5n);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(GuestFault);
      expect((e as GuestFault).report).toMatchObject({ vector: 6, rip: text + 5n, where: `0x${(text + 5n).toString(16)}`, reason: 'no exception handler' });
    } finally {
      cpu.close();
    }
  });
});

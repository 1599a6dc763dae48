// The call graph's x86-64 decoder against objdump (instruction boundaries and every direct branch target) on
// both images, plus encodings the images may not contain and the register effects ipa-ra evidence relies on.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUILTIN_IMAGE, DEBIAN_IMAGE } from '../../loader/image/index.ts';
import { LintImage } from '../../loader/lint/index.ts';
import { relianceAfterCall } from '../../loader/lint/x86/after-call.ts';
import { BranchKind, decode, endsFlow } from '../../loader/lint/x86/decode.ts';
import { RAX, RDI, regEffects } from '../../loader/lint/x86/regs.ts';

interface Objdump {
  starts: Set<bigint>;
  targets: Map<bigint, bigint>;
}

function objdump(path: string, section: string): Objdump {
  const text = execFileSync('objdump', ['-d', '-w', '--no-show-raw-insn', '-j', section, path],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  const starts = new Set<bigint>();
  const targets = new Map<bigint, bigint>();
  const branch = /^(?:[a-z0-9.]+ )*?(?:call|jmp|j[a-z]{1,3}|loop[a-z]*|jrcxz|xbegin)\s+([0-9a-f]+) </;
  for (const line of text.split('\n')) {
    const tab = line.indexOf(':\t');
    if (tab < 0 || !/^\s*[0-9a-f]+$/.test(line.slice(0, tab))) continue;
    const addr = BigInt(`0x${line.slice(0, tab).trim()}`);
    starts.add(addr);
    const m = branch.exec(line.slice(tab + 2));
    if (m) targets.set(addr, BigInt(`0x${m[1]}`));
  }
  return { starts, targets };
}

/** Decodes every code region of the image; returns mismatches with objdump (empty when all agree). */
function compareWithObjdump(path: string): { instructions: number; branches: number; problems: string[] } {
  const image = LintImage.load(path);
  const dumps = new Map<string, Objdump>();
  const problems: string[] = [];
  let instructions = 0;
  let branches = 0;
  for (const r of image.regions) {
    const sec = image.elf.sections.find((s) => s.addr === r.base)!;
    if (!dumps.has(sec.name)) dumps.set(sec.name, objdump(path, sec.name));
    const d = dumps.get(sec.name)!;
    const end = r.offset + r.size;
    for (let p = r.offset; p < end;) {
      const addr = r.base + BigInt(p);
      const insn = decode(r.data, p, end);
      if (!insn) {
        if (r.isFunction) problems.push(`${r.name}: cannot decode at ${addr.toString(16)}`);
        break;
      }
      if (!d.starts.has(addr)) {
        problems.push(`${r.name}: instruction at ${addr.toString(16)} is not an objdump boundary`);
        break;
      }
      instructions++;
      const want = d.targets.get(addr);
      const got = Number.isNaN(insn.target) ? undefined : r.base + BigInt(insn.target);
      if (want !== got) problems.push(`${r.name}: branch at ${addr.toString(16)}: objdump ${want?.toString(16)}, ours ${got?.toString(16)}`);
      if (got !== undefined) branches++;
      p += insn.length;
    }
    if (problems.length > 10) break;
  }
  return { instructions, branches, problems };
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('x86-64 decoder', () => {
  it('agrees with objdump on every instruction and branch target of the builtin image', () => {
    const r = compareWithObjdump(BUILTIN_IMAGE);
    expect(r.problems).toEqual([]);
    expect(r.instructions).toBeGreaterThan(1000);
    expect(r.branches).toBeGreaterThan(100);
  });

  it("agrees with objdump on all of Debian's runtime .text (including x86_emulate, 145 KiB)", () => {
    const r = compareWithObjdump(DEBIAN_IMAGE);
    expect(r.problems).toEqual([]);
    expect(r.instructions).toBe(LintImage.load(DEBIAN_IMAGE).callGraph().instructions);
    expect(r.branches).toBeGreaterThan(70_000);
  });

  it('decodes lengths of encodings gcc and Xen use', () => {
    const len = (...b: number[]): number | undefined => decode(bytes(...b), 0, b.length)?.length;
    expect(len(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8)).toBe(10); // movabs $imm64, %rax
    expect(len(0x66, 0xb8, 1, 2)).toBe(4); // mov $imm16, %ax
    expect(len(0xa1, 1, 2, 3, 4, 5, 6, 7, 8)).toBe(9); // movabs moffs64, %eax
    expect(len(0x67, 0xa1, 1, 2, 3, 4)).toBe(6); // addr32 moffs
    expect(len(0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0)).toBe(9); // nopw 0x0(%rax,%rax,1)
    expect(len(0xf3, 0x0f, 0x1e, 0xfa)).toBe(4); // endbr64
    expect(len(0xf6, 0x05, 1, 2, 3, 4, 0x80)).toBe(7); // testb $0x80, x(%rip)
    expect(len(0xf7, 0xd8)).toBe(2); // neg %eax: group 3 without an immediate
    expect(len(0xc8, 0x10, 0x00, 0x00)).toBe(4); // enter
    expect(len(0xc4, 0xe2, 0x79, 0x18, 0x05, 1, 2, 3, 4)).toBe(9); // vbroadcastss x(%rip), %xmm0 (VEX3)
    expect(len(0xc5, 0xf8, 0x77)).toBe(3); // vzeroupper
    expect(len(0xc4, 0xe3, 0x79, 0x16, 0xc0, 0x01)).toBe(6); // vpextrd $1 (VEX map 0F3A: imm8)
    expect(len(0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1)).toBe(6); // vmovaps %zmm1, %zmm0 (EVEX)
    expect(len(0x0f, 0x01, 0xd0)).toBe(3); // xgetbv
    expect(len(0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08)).toBe(6); // palignr $8
    expect(len(0x41, 0x0f, 0xb6, 0x44, 0x24, 0x08)).toBe(6); // movzbl 8(%r12), %eax (SIB + disp8)
    expect(len(0x8b, 0x04, 0x25, 1, 2, 3, 4)).toBe(7); // mov abs32 via SIB with no base
    expect(decode(bytes(0x06), 0, 1)).toBeUndefined(); // push %es: invalid in 64-bit mode
    expect(decode(bytes(0xe8, 1, 2), 0, 3)).toBeUndefined(); // truncated
  });

  it('finds relative branch targets and flow ends', () => {
    const call = decode(bytes(0xe8, 0xfb, 0xff, 0xff, 0xff), 0, 5)!;
    expect([call.branch, call.target]).toEqual([BranchKind.Call, 0]);
    const jcc = decode(bytes(0x90, 0x0f, 0x85, 0x10, 0, 0, 0), 1, 7)!;
    expect([jcc.branch, jcc.target]).toEqual([BranchKind.Cond, 0x17]);
    const back = decode(bytes(0x90, 0xeb, 0xfd), 1, 3)!;
    expect([back.branch, back.target, endsFlow(back)]).toEqual([BranchKind.Jmp, 0, true]);
    const indirect = decode(bytes(0xff, 0xd0), 0, 2)!; // call *%rax
    expect(indirect.branch).toBe(BranchKind.Call);
    expect(indirect.target).toBeNaN();
    expect(endsFlow(decode(bytes(0xc3), 0, 1)!)).toBe(true);
  });
});

describe('register effects', () => {
  const fx = (...b: number[]) => regEffects(bytes(...b), decode(bytes(...b), 0, b.length)!);

  it('models the common integer forms', () => {
    expect(fx(0x83, 0xc7, 0x01)).toEqual({ reads: RDI, writes: RDI }); // add $1, %edi
    expect(fx(0x31, 0xc0)).toEqual({ reads: 0, writes: RAX }); // xor %eax, %eax: no read
    expect(fx(0x8d, 0x44, 0xff, 0x02)).toEqual({ reads: RDI, writes: RAX }); // lea 2(%rdi,%rdi,8), %eax
    expect(fx(0x89, 0xc2)).toEqual({ reads: RAX, writes: 1 << 2 }); // mov %eax, %edx
    expect(fx(0x66, 0x89, 0xc2)).toEqual({ reads: RAX, writes: 0 }); // mov %ax, %dx: partial write
    expect(fx(0x4c, 0x89, 0xc7)).toEqual({ reads: 1 << 8, writes: RDI }); // mov %r8, %rdi
    expect(fx(0x0f, 0x0b)).toBeUndefined(); // ud2: not modelled
  });

  it("finds selftest_ipa's reliance on %rdi after calling the clone, and none in alpha_call", () => {
    const image = LintImage.load(BUILTIN_IMAGE);
    const check = (fn: string) => {
      const r = image.functionNamed(fn)!;
      const call = image.callGraph().to(image.functions.find((f) => f.name.includes(fn === 'selftest_ipa' ? 'selftest_mix.' : 'alpha.c#helper'))!.address)
        .find((b) => b.site === r)!;
      const after = r.offset + Number(call.from - r.address) + call.length;
      return relianceAfterCall(r.data, after, r.offset, r.offset + r.size);
    };
    expect(check('selftest_ipa')?.registers).toEqual(['%rdi']);
    expect(check('alpha_call')).toBeUndefined();
  });
});

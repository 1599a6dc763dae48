// For an image not in the layout table: find the instructions the table's entries come from by their shape
// in the same functions, and derive each offset from them. Fields whose instruction is not found stay unknown.
import { type Instruction, disassemble } from '../../cpu/disasm.ts';
import { type Derivation, type FieldEvidence, type LayoutField, type XenImageView, derive } from './layout.ts';

const NUM = '(-?0x[0-9a-f]+|-?\\d+)';
const num = (s: string): number => (s.startsWith('-') ? -Number(s.slice(1)) : Number(s));

interface Finder {
  field: LayoutField;
  fn: string;
  derivation: Derivation;
  /** Index of the matching instruction and the number in it, or undefined. */
  find(insns: readonly Instruction[]): [number, number] | undefined;
}

function first(insns: readonly Instruction[], re: RegExp, from = 0, test?: (m: RegExpExecArray, i: number) => boolean): [number, number] | undefined {
  for (let i = from; i < insns.length; i++) {
    const m = re.exec(insns[i]!.text);
    if (m && (!test || test(m, i))) return [i, num(m[1]!)];
  }
  return undefined;
}

/** `or $(STACK_SIZE-1), %reg` then `mov disp(%reg)`: Xen's get_cpu_info() and a field of it. */
const stackMask = new RegExp(`^orq \\$${NUM}, %(r\\w+)$`);
const isMask = (n: number): boolean => n >= 0xfff && ((n + 1) & n) === 0;
function afterMask(insns: readonly Instruction[], load: RegExp, from = 0): [number, number] | undefined {
  for (let i = from; i < insns.length; i++) {
    const m = stackMask.exec(insns[i]!.text);
    if (!m || !isMask(num(m[1]!))) continue;
    for (let j = i + 1; j < Math.min(i + 4, insns.length); j++) {
      const l = load.exec(insns[j]!.text);
      if (l && l[2] === m[2]) return [j, num(l[1]!)];
    }
  }
  return undefined;
}

const FINDERS: Finder[] = [
  {
    field: 'stackSize', fn: 'do_xen_version', derivation: 'mask',
    find: (insns) => first(insns, stackMask, 0, (m) => isMask(num(m[1]!))),
  },
  {
    field: 'cpuInfoCurrentVcpu', fn: 'do_xen_version', derivation: 'top',
    find: (insns) => afterMask(insns, new RegExp(`^movq ${NUM}\\(%(r\\w+)\\), %r\\w+$`)),
  },
  {
    field: 'vcpuDomain', fn: 'do_xen_version', derivation: 'disp',
    find: (insns) => {
      const cur = afterMask(insns, new RegExp(`^movq ${NUM}\\(%(r\\w+)\\), %r\\w+$`));
      return cur && first(insns.slice(0, cur[0] + 2), new RegExp(`^movq ${NUM}\\(%r\\w+\\), %r\\w+$`), cur[0] + 1);
    },
  },
  {
    field: 'domainOptions', fn: 'do_xen_version', derivation: 'disp',
    find: (insns) => first(insns, new RegExp(`^testb \\$1, ${NUM}\\(%r\\w+\\)$`)),
  },
  {
    field: 'domainIsPrivileged', fn: 'do_xen_version', derivation: 'disp',
    find: (insns) => first(insns, new RegExp(`^cmpb \\$0, ${NUM}\\(%r\\w+\\)$`)),
  },
  {
    field: 'cpuInfoProcessorId', fn: 'do_console_io', derivation: 'top',
    find: (insns) => afterMask(insns, new RegExp(`^movl ${NUM}\\(%(r\\w+)\\), %e\\w+$`)),
  },
  {
    field: 'cpuInfoPerCpuOffset', fn: 'get_cpu_maps', derivation: 'top',
    find: (insns) => afterMask(insns, new RegExp(`^addq ${NUM}\\(%(r\\w+)\\), %r\\w+$`)),
  },
  {
    // v->vcpu_info, then vcpu_info->evtchn_upcall_pending (its first byte): local_events_need_delivery()
    field: 'vcpuVcpuInfo', fn: 'do_console_io', derivation: 'disp',
    find: (insns) => first(insns, new RegExp(`^movq ${NUM}\\(%r\\w+\\), %(r\\w+)$`), 0,
      (m, i) => insns[i + 1]?.text === `cmpb $0, (%${m[2]})`),
  },
  {
    // d->pbuf[d->pbuf_idx] = '\0' before guest_printk()
    field: 'domainPbuf', fn: 'do_console_io', derivation: 'disp',
    find: (insns) => first(insns, new RegExp(`^movq ${NUM}\\(%r\\w+\\), %(r\\w+)$`), 0,
      (m, i) => insns.slice(i + 1, i + 6).some((x) => x.text.startsWith(`movb $0, (%${m[2]},`))),
  },
  {
    field: 'domainId', fn: 'guest_printk', derivation: 'disp',
    find: (insns) => {
      const at = insns.findIndex((x) => /^movzwl \(%rdi\), %e\w+$/.test(x.text));
      return at < 0 ? undefined : [at, 0];
    },
  },
];

/** Search the image's code for each field's instruction (initDisassembler() must have been awaited). */
export function searchLayout(image: XenImageView): FieldEvidence[] {
  const code = new Map<string, Instruction[]>();
  const insnsOf = (fn: string): Instruction[] => {
    let list = code.get(fn);
    if (!list) {
      const sym = image.symbols.lookup(fn);
      list = sym && sym.size ? disassemble(image.machine.read(sym.address, sym.size), sym.address) : [];
      code.set(fn, list);
    }
    return list;
  };
  const out: FieldEvidence[] = [];

  for (const f of FINDERS) {
    const insns = insnsOf(f.fn);
    const hit = f.find(insns);
    if (!hit) continue;
    const insn = insns[hit[0]]!;
    const sym = image.symbols.lookup(f.fn)!;
    const value = derive(f.derivation, hit[1]);
    out.push({ field: f.field, value, at: `${f.fn}+0x${(insn.address - sym.address).toString(16)}`, insn: insn.text, derivation: f.derivation });
  }
  return out;
}

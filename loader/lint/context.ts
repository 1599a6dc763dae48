// What every rule gets: the image, the payloads in the order given, each patched function resolved the way
// Xen resolves it, and a way to report.
import { ENDBR64_LEN, isEndbr64 } from '../arch/x86/endbr.ts';
import { ARCH_PATCH_INSN_SIZE } from '../arch/x86/trampoline.ts';
import type { PreparedFunc } from '../livepatch/upload/types.ts';
import { RULES, type Finding, type RuleId, type Severity } from './catalogue.ts';
import type { CodeRegion, LintImage } from './image-model.ts';
import type { LintPayload, PayloadSpace } from './payload-model.ts';

export interface PatchTarget {
  payload: LintPayload;
  func: PreparedFunc;
  /** What to call it: the image's name of the function, else the record's name. */
  label: string;
  /** old_addr, or the address `name` resolves to; undefined if it resolves nowhere. */
  oldAddr: bigint | undefined;
  /** old_addr was relocated against an undefined symbol that resolves nowhere (reported with the symbol). */
  viaUnresolvedSymbol: boolean;
  /** The image function containing oldAddr (undefined when it is not image code, e.g. another payload). */
  region: CodeRegion | undefined;
  /** 4 when oldAddr starts with ENDBR64 (or its poison): the trampoline goes after it. */
  patchOffset: number;
  /** Bytes overwritten at oldAddr + patchOffset: 5 for a jump, new_size - patchOffset for NOPs. */
  patchLength: number;
}

/** The bytes an expectation should hold for one patched function (old-code verification, spec §3.7). */
export interface SuggestedExpectation {
  /** Payload file. */
  payload: string;
  function: string;
  address: bigint;
  len: number;
  bytes: Uint8Array;
}

export interface LintContext {
  image: LintImage;
  payloads: LintPayload[];
  targets: PatchTarget[];
  expectations: SuggestedExpectation[];
  /** The payloads are one set loaded together (else a single payload against the image alone). */
  together: boolean;
  report(rule: RuleId, f: FindingInput): void;
}

export interface FindingInput {
  severity?: Severity;
  symbol: string;
  message: string;
  details?: string[];
  hint?: string;
  payload?: LintPayload;
}

export function makeContext(image: LintImage, space: PayloadSpace, findings: Finding[], together: boolean): LintContext {
  const payloads = space.loaded;
  const targets = payloads.flatMap((p, i) => p.funcs.map((f) => target(space, payloads.slice(0, i), p, f)));
  return {
    image, payloads, targets, expectations: [], together,
    report(rule, f) {
      findings.push({
        rule, severity: f.severity ?? RULES[rule].severities[0], symbol: f.symbol, message: f.message,
        details: f.details ?? [], hint: f.hint ?? RULES[rule].hint, payload: f.payload?.path,
      });
    },
  };
}

function target(space: PayloadSpace, earlier: LintPayload[], payload: LintPayload, func: PreparedFunc): PatchTarget {
  const image = space.image;
  let oldAddr: bigint | undefined = func.oldAddr;
  const viaUnresolvedSymbol = payload.standIns.has(func.oldAddr);
  if (viaUnresolvedSymbol) oldAddr = undefined;
  // Xen's order: the image's symbol table, then new symbols of payloads uploaded before.
  else if (oldAddr === 0n) oldAddr = func.name === undefined ? undefined : space.lookup(func.name, payload);
  const region = oldAddr === undefined ? undefined : image.regionAt(oldAddr);
  const head = oldAddr === undefined ? undefined : image.read(oldAddr, ENDBR64_LEN) ?? readPayloads(earlier, oldAddr);
  const patchOffset = isEndbr64(head) ? ENDBR64_LEN : 0;
  const patchLength = func.newAddr !== 0n ? ARCH_PATCH_INSN_SIZE : Math.max(0, func.newSize - patchOffset);
  const label = region?.isFunction && region.address === oldAddr ? region.name : func.name ?? region?.name ?? '?';
  return { payload, func, label, oldAddr, viaUnresolvedSymbol, region, patchOffset, patchLength };
}

function readPayloads(payloads: LintPayload[], address: bigint): Uint8Array | undefined {
  const p = payloads.find((q) => address >= q.base && address < q.base + BigInt(q.pages * 4096));
  return p?.read(address, ENDBR64_LEN);
}

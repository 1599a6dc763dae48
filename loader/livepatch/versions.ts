// The generic live-patch rules (Xen's common/livepatch.c and the xen-livepatch tool) that differ between the Xen
// versions xlp runs, in one table keyed by the version the image itself reports (Image.version): no version test
// is scattered through the pipeline. Each rule names the Xen commit that made it. The architecture's own
// differences (alternatives, record formats) sit behind the arch seam (loader/arch) and loader/abi.ts.
import { PAYLOAD, PAYLOAD_4_20, type PayloadLayout } from '../abi.ts';
import { type XenVersion, rowFor } from '../image/version.ts';

export interface LivepatchRules {
  /** The versions these rules follow, for messages (`4.17.4+`, `4.20`). */
  readonly label: string;
  /**
   * A payload's virtual region (its exception table, bug frames and symbols) lives from upload to unload since
   * 4.17.4 (a57b4074ab "livepatch: register livepatch regions when loaded", d2daa40fb3); before, only while
   * applied, so a WARN in a pre-apply hook had no frame to find.
   */
  readonly regionFromUpload: boolean;
  /**
   * 4.20 (fa49f4be41 "livepatch: do Xen build-id check earlier"): `.livepatch.xen_depends` is checked right
   * after the ELF is parsed, before layout and relocations; a payload for another build never gets further.
   */
  readonly xenDependsBeforeLayout: boolean;
  /**
   * 4.20 (same series): a `.note.gnu.build-id` or `.livepatch.depends` note that xen_build_id_check() refuses
   * fails with its own errno (-ENODATA for a wrong type or owner, -EINVAL otherwise) instead of -EINVAL.
   */
  readonly rawBuildIdErrno: boolean;
  /**
   * 4.19 (tools/misc/xen-livepatch.c, "tools/xen-livepatch: add --force"): verbs must be spelled out (4.17 took
   * any prefix: `l` = list) and a leading `--force` sets LIVEPATCH_FLAG_FORCE.
   */
  readonly toolExactVerbs: boolean;
  /**
   * 4.19 ("livepatch: introduce LIVEPATCH_FLAG_FORCE"): the op's `pad` became `flags`; an op is refused (-EINVAL)
   * only when it sets unknown bits without FORCE (bit 0), and FORCE has no other effect yet. Before, any non-zero
   * `pad` was -EINVAL. The 4.19 tool sets FORCE for a leading `--force`.
   */
  readonly forceFlag: boolean;
  /** struct payload as the version's hooks and its own revert_payload() read it (loader/abi.ts). */
  readonly payload: PayloadLayout;
}

/** Rules by version, newest first; the first whose `since` the image reaches applies. */
const TABLE: readonly { since: [number, number, number]; rules: LivepatchRules }[] = [
  { since: [4, 20, 0], rules: { label: '4.20', regionFromUpload: true, xenDependsBeforeLayout: true, rawBuildIdErrno: true, toolExactVerbs: true, forceFlag: true, payload: PAYLOAD_4_20 } },
  { since: [4, 19, 0], rules: { label: '4.19', regionFromUpload: true, xenDependsBeforeLayout: false, rawBuildIdErrno: false, toolExactVerbs: true, forceFlag: true, payload: PAYLOAD } },
  { since: [4, 17, 4], rules: { label: '4.17.4+', regionFromUpload: true, xenDependsBeforeLayout: false, rawBuildIdErrno: false, toolExactVerbs: false, forceFlag: false, payload: PAYLOAD } },
  { since: [4, 17, 0], rules: { label: '4.17.0-4.17.3', regionFromUpload: false, xenDependsBeforeLayout: false, rawBuildIdErrno: false, toolExactVerbs: false, forceFlag: false, payload: PAYLOAD } },
];

/** The baseline for an image whose version is unknown or older than 4.17: Xen 4.17 stable. */
export const BASELINE_RULES: LivepatchRules = TABLE[2]!.rules;

/** LIVEPATCH_FLAG_FORCE (public/sysctl.h, 4.19). */
export const LIVEPATCH_FLAG_FORCE = 1;

/** The op-level check of `flags` (`pad` up to 4.18): undefined when accepted, else why it is -EINVAL. */
export function opFlagsRefusal(rules: LivepatchRules, flags: number): string | undefined {
  if (!rules.forceFlag) return flags ? `the op's pad is 0x${flags.toString(16)}: Xen ${rules.label} has no op flags` : undefined;
  if (flags & ~LIVEPATCH_FLAG_FORCE && !(flags & LIVEPATCH_FLAG_FORCE)) return `unknown op flags 0x${flags.toString(16)} without LIVEPATCH_FLAG_FORCE`;
  return undefined;
}

export function livepatchRules(v: XenVersion | undefined): LivepatchRules {
  return rowFor(TABLE, v)?.rules ?? BASELINE_RULES;
}

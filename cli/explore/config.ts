// What one exploration is asked to do: plain data, so that worker threads get the same settings.
import type { UserCheck } from './checks.ts';

/**
 * `all`: every operation on every payload in every state, up to the depth.
 * `orders`: apply the payloads once each in every order, then revert them LIFO (the depth is 2 x payloads).
 */
export type ExploreMode = 'all' | 'orders';

export interface ExploreConfig {
  /** builtin, debian, or a path to a xen-syms. */
  image: string;
  /** Payload files; a payload's name is its file's basename without the extension. */
  payloads: string[];
  /** Most operations in a sequence after the root (default: 2 x payloads, plus one upload each if uploads are explored). */
  depth?: number;
  mode: ExploreMode;
  /** APPLY with LIVEPATCH_ACTION_APPLY_NODEPS. */
  nodeps: boolean;
  checks: UserCheck[];
  /** Keep every explored sequence's label (tests compare shards with them). */
  collectSequences?: boolean;
}

export const payloadName = (file: string): string => file.replace(/^.*\//, '').replace(/\.[^.]*$/, '');

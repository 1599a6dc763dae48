// Options shared by several verbs.
import type { Command } from 'commander';

export const IMAGE_OPTION_HELP = 'builtin (default), debian (Xen 4.17), debian-4.20, or a path to a Xen xen-syms';

/** --image for verbs that work on a fresh image; the default follows the booted host (cli/images.ts chosenImage). */
export function withImageOption(cmd: Command): Command {
  return cmd
    .option('--image <image>', `${IMAGE_OPTION_HELP}; default: the booted host's image (see --state), else $XLP_IMAGE, else builtin`)
    .option('--state <dir>', "state directory whose booted host gives the default image (default $XLP_STATE or ./.xlp)");
}

/** Where verbs print; tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** --quiet: no `xlp:` explanation after xen-livepatch's own lines. */
  quiet?: boolean;
}

export const stdio: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

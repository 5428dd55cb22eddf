// The exit codes of `spend-band` and of a guarded run (docs/contract/cli.md), written once: the CLI,
// the editor's pre-flight task and the server's own entry all take their codes from here.
import type { Decision } from './schemas';

export const EXIT = {
  ok: 0,
  internal: 1,
  /** bad flags or configuration: the message says what to change */
  usage: 2,
  unreachable: 3,
  invalid: 4,
  unauthorized: 5,
  warn: 10,
  needsApproval: 11,
  deny: 12,
  /** the guarded command could not be started (the shell's "command not found") */
  cannotStart: 127,
  /** stopped by the person (the shell convention for SIGINT) */
  cancelled: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** `spend-band preflight`: 0 allow, 10 warn, 11 needs approval, 12 deny, so a script can branch on it. */
export const DECISION_EXIT: Record<Decision, ExitCode> = {
  allow: EXIT.ok,
  warn: EXIT.warn,
  needs_approval: EXIT.needsApproval,
  deny: EXIT.deny,
};

// The rule for a run with no estimate, one for every face (CLI preflight/run, the editor's guarded task and
// command, the Claude Code hook): never a silent "allow", never a reservation of zero. Kept apart from
// decision.ts so the hook's small bundle can use it without the HTTP client.
import type { Estimate, PreflightDecision } from '../../domain/schemas';

/**
 * An estimate without a basis is no estimate: the run was checked as zero, so no rule on its size
 * could apply. Such a run is never a silent "allow" and never holds a reservation (see below).
 */
export function isNoEstimate(estimate: Estimate): boolean {
  return estimate.basis === undefined;
}

/** How the reason of a decision without an estimate begins (the hook and the faces test for it). */
export const NO_ESTIMATE_REASON = 'No estimate for this run';

/** What a person does about a missing estimate, in every face's words alike. */
export const NO_ESTIMATE_ADVICE =
  'give one (--estimate-usd N in the CLI, "estimate": { "usd": N } in a task), or run the agent once so there is history to estimate from';

/**
 * The decision for a run with no estimate: what the bands say about a run of zero (an exhausted band
 * or a rule without an amount still denies or needs approval), but an "allow" becomes a "warn"
 * with the reason "no estimate", and nothing is reserved.
 */
export function noEstimateDecision(
  decision: PreflightDecision,
  checked = 'it was checked as zero and nothing was reserved',
): PreflightDecision {
  if (decision.decision !== 'allow' && decision.decision !== 'warn') return decision;
  if (decision.reason.startsWith(NO_ESTIMATE_REASON)) return decision;
  const rest = decision.decision === 'warn' ? ` Also: ${decision.reason}` : '';
  return {
    ...decision,
    decision: 'warn',
    reason: `${NO_ESTIMATE_REASON}, so ${checked}: ${NO_ESTIMATE_ADVICE}.${rest}`,
    reservation: null,
    approval: null,
  };
}

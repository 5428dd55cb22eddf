// The pre-flight verdict: one pure function shared by the reference server and the offline client.
// Explicit escalation rules are evaluated in order and the first match wins; no match allows. Two caps
// the organization already published in the same document are enforced by the gateway whatever a rule
// says: the policy's per-run cap, and a hard-enforced band that the run would overdraw. A rule may make
// the verdict stricter than those caps (its own deny), never milder: a "warn" for a run the gateway will
// stop half way would send the person off with a promise that does not hold.
import { isoDurationMs } from './duration';
import { formatMoney, percentOf } from './money';
import type { Band, Decision, EscalationPolicy, EscalationRule, Estimate, Money, PreflightDecision } from './schemas';

export interface VerdictInput {
  workflow: string;
  estimate: Pick<Estimate, 'cost'>;
  limits?: { max_duration?: string | undefined; max_iterations?: number | undefined } | undefined;
  /** The band governing `workflow` (see bandForWorkflow); undefined when the developer has none. */
  band: Band | undefined;
  policy: EscalationPolicy;
  now: Date;
  /** How long the decision stays valid (default 10 minutes). */
  validForMs?: number;
}

export type Verdict = Omit<PreflightDecision, 'reservation' | 'approval'>;

export function preflightVerdict(input: VerdictInput): Verdict {
  const { band, estimate, policy, workflow, now } = input;
  const cost = estimate.cost.amount_micros;
  const projected = band ? project(band, cost) : undefined;
  const base = {
    band_id: band?.id,
    projected,
    valid_until: new Date(now.getTime() + (input.validForMs ?? 600_000)).toISOString(),
  };

  const rule = policy.rules.find((r) => ruleMatches(r, input, projected));
  const byRule = (r: EscalationRule): Verdict => ({
    ...base,
    decision: r.action,
    reason_code: 'policy_rule',
    rule_id: r.id,
    reason: r.message ?? describeRule(r, input.estimate.cost, band),
  });
  if (rule?.action === 'deny') return byRule(rule);

  if (policy.per_run_cap && cost > policy.per_run_cap.amount_micros) {
    return {
      ...base,
      decision: 'deny',
      reason_code: 'over_run_cap',
      rule_id: null,
      reason: `The estimate ${distinctMoney(estimate.cost, policy.per_run_cap)} is above the per-run cap of ${formatMoney(policy.per_run_cap)}. Split the work into smaller runs.`,
    };
  }
  if (band && band.enforcement === 'hard' && projected && projected.remaining_after.amount_micros < 0) {
    return {
      ...base,
      decision: 'deny',
      reason_code: 'band_exhausted',
      rule_id: null,
      reason: `The run would overdraw the hard-enforced band ${band.label ?? band.id} (${formatMoney(band.remaining)} left), and the gateway would stop it. Request a band increase first.`,
    };
  }
  if (rule) return byRule(rule);
  if (!band) {
    return {
      ...base,
      decision: 'allow',
      reason_code: 'no_band',
      rule_id: null,
      reason: `No band covers ${workflow}; nothing to check against.`,
    };
  }
  const remainingAfter = projected!.remaining_after;
  if (remainingAfter.amount_micros < 0) {
    // allowed (no rule matched and nothing blocks it), but not "within band": say by how much it goes over
    return {
      ...base,
      decision: 'allow',
      reason_code: 'over_soft_band',
      rule_id: null,
      reason: `Allowed, but the run would take ${band.label ?? band.id} ${formatMoney({ ...remainingAfter, amount_micros: -remainingAfter.amount_micros })} over its ${formatMoney(band.allocated)} (${band.enforcement === 'none' ? 'not enforced' : 'soft limit, alert only'}).`,
    };
  }
  return {
    ...base,
    decision: 'allow',
    reason_code: 'within_band',
    rule_id: null,
    reason: `Within band: ${formatMoney(remainingAfter)} would be left of ${formatMoney(band.allocated)}.`,
  };
}

/** `value` formatted so that it does not read the same as `other` when the two amounts differ. */
function distinctMoney(value: Money, other: Money): string {
  const text = formatMoney(value);
  if (text !== formatMoney(other) || value.amount_micros === other.amount_micros) return text;
  return formatMoney(value, { style: 'precise' });
}

function project(
  band: Band,
  cost: number,
): NonNullable<Verdict['projected']> & { used_after: Money; remaining_after: Money } {
  const usedAfter = band.used.amount_micros + (band.reserved?.amount_micros ?? 0) + cost;
  const remainingAfter = band.remaining.amount_micros - cost;
  return {
    used_after: { currency: band.used.currency, amount_micros: usedAfter },
    remaining_after: { currency: band.remaining.currency, amount_micros: remainingAfter },
    // a zero band has no percent (Infinity is not JSON): the field is left out
    ...(band.allocated.amount_micros > 0
      ? { percent_after: Math.round(percentOf(usedAfter, band.allocated.amount_micros) * 10) / 10 }
      : {}),
  };
}

/** Every condition present in `when` must hold; a rule with no conditions always matches its classes. */
export function ruleMatches(
  rule: EscalationRule,
  input: Pick<VerdictInput, 'workflow' | 'estimate' | 'limits' | 'band'>,
  projected = input.band ? project(input.band, input.estimate.cost.amount_micros) : undefined,
): boolean {
  if (rule.applies_to && rule.applies_to.length > 0 && !rule.applies_to.includes(input.workflow)) return false;
  const when = rule.when ?? {};
  if (when.estimate_at_least && input.estimate.cost.amount_micros < when.estimate_at_least.amount_micros) return false;
  if (when.remaining_percent_after_below !== undefined) {
    if (!input.band || !projected) return false;
    const allocated = input.band.allocated.amount_micros;
    const remainingAfter = projected.remaining_after.amount_micros;
    const below = when.remaining_percent_after_below;
    // remaining_after / allocated * 100 < N, in integers; of a zero band nothing is left, which is below
    // any positive N (the rule used to be skipped there, the one band where it matters most)
    const matches = allocated > 0 ? BigInt(remainingAfter) * 100n < BigInt(allocated) * BigInt(below) : below > 0;
    if (!matches) return false;
  }
  if (when.max_duration_above !== undefined) {
    const threshold = isoDurationMs(when.max_duration_above);
    const asked = input.limits?.max_duration !== undefined ? isoDurationMs(input.limits.max_duration) : undefined;
    if (threshold === undefined || asked === undefined || asked <= threshold) return false;
  }
  if (when.max_iterations_above !== undefined) {
    const asked = input.limits?.max_iterations;
    if (asked === undefined || asked <= when.max_iterations_above) return false;
  }
  return true;
}

const ACTION_WORDS: Record<Decision, string> = {
  allow: 'allowed',
  warn: 'a warning',
  needs_approval: 'approval',
  deny: 'a refusal',
};

export function describeRule(rule: EscalationRule, estimate: Money, band: Band | undefined): string {
  const parts: string[] = [];
  const when = rule.when ?? {};
  if (when.estimate_at_least)
    parts.push(`the estimate ${formatMoney(estimate)} is at least ${formatMoney(when.estimate_at_least)}`);
  if (when.remaining_percent_after_below !== undefined)
    parts.push(
      `less than ${when.remaining_percent_after_below}% of ${band?.label ?? band?.id ?? 'the band'} would be left`,
    );
  if (when.max_duration_above) parts.push(`the run may last longer than ${when.max_duration_above}`);
  if (when.max_iterations_above !== undefined)
    parts.push(`the run may take more than ${when.max_iterations_above} iterations`);
  const cause = parts.length > 0 ? parts.join(' and ') : 'this workflow class always needs it';
  const approver = rule.action === 'needs_approval' && rule.approver_role ? ` from ${rule.approver_role}` : '';
  return `Rule ${rule.id} asks for ${ACTION_WORDS[rule.action]}${approver}: ${cause}.`;
}

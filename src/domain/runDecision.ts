// A run's pre-flight decision when the source cannot answer one itself (local bands, LiteLLM,
// OpenRouter, or an endpoint without the `preflight` capability), and the words every front end (task
// terminal, modal, CLI, LM tool) uses to explain a decision. The verdict itself is preflightVerdict:
// one rule engine, shared with the reference server.
import { bandForWorkflow } from './bandLookup';
import { formatMoney } from './money';
import { preflightVerdict } from './preflightVerdict';
import type { Band, BandsDocument, Decision, Estimate, PreflightDecision, Request } from './schemas';
import { plainText } from './untrustedText';

export interface LocalDecisionInput {
  document: BandsDocument;
  workflow: string;
  estimate: Estimate;
  now: Date;
}

/** The decision from the document's bands and escalation rules. Nothing is reserved and no request filed. */
export function localDecision(input: LocalDecisionInput): PreflightDecision {
  const band = bandForWorkflow(input.document.bands, input.workflow);
  const verdict = preflightVerdict({
    workflow: input.workflow,
    estimate: input.estimate,
    band,
    policy: input.document.escalation,
    now: input.now,
  });
  return { ...verdict, reservation: null, approval: null };
}

export const DECISION_WORDS: Record<Decision, string> = {
  allow: 'Allowed',
  warn: 'Warning',
  needs_approval: 'Needs approval',
  deny: 'Denied',
};

/** "$12.00 left of $40.00 now; $4.00 would be left after this run (90% used)". */
export function headroomText(decision: PreflightDecision, band: Band | undefined): string | undefined {
  const after = decision.projected?.remaining_after;
  if (!band && !after) return undefined;
  const parts: string[] = [];
  if (band)
    // the label comes from the endpoint: one plain line (a modal's detail keeps line breaks, #20)
    parts.push(
      `${formatMoney(band.remaining)} left of ${formatMoney(band.allocated)} in ${plainText(band.label ?? band.id, 100)} now`,
    );
  if (after) {
    const percent = decision.projected?.percent_after;
    const overdraw =
      after.amount_micros < 0
        ? `${formatMoney({ ...after, amount_micros: -after.amount_micros })} over the band`
        : `${formatMoney(after)} would be left`;
    parts.push(`${overdraw} after this run${percent !== undefined ? ` (${percent}% used)` : ''}`);
  }
  return parts.join('; ');
}

/** The lines a terminal or the CLI prints for a decision. */
export function decisionLines(decision: PreflightDecision, estimateText: string, band: Band | undefined): string[] {
  // The reason comes from the endpoint (it may quote an approver's note): plain text only (#20 finding 4).
  const lines = [
    `Estimate: ${plainText(estimateText, 1000)}`,
    `${DECISION_WORDS[decision.decision] ?? plainText(decision.decision, 40)}: ${plainText(decision.reason, 1000)}`,
  ];
  const headroom = headroomText(decision, band);
  if (headroom) lines.push(`Band: ${headroom}.`);
  if (decision.reservation)
    lines.push(`Reserved ${formatMoney(decision.reservation.amount)} until ${decision.reservation.expires_at}.`);
  if (decision.approval)
    lines.push(
      `Approval request ${plainText(decision.approval.request_id, 100)}: ${plainText(decision.approval.status, 40)}.`,
    );
  return lines;
}

export type ApprovalState =
  | { state: 'waiting' }
  | { state: 'approved'; message: string }
  | { state: 'refused'; status: 'denied' | 'cancelled' | 'expired'; message: string };

/** What a polled run_approval request means for the waiting run. */
export function approvalState(request: Pick<Request, 'id' | 'status' | 'resolution'>): ApprovalState {
  const byRaw = request.resolution?.decided_by?.display_name ?? request.resolution?.decided_by?.id;
  const by = byRaw === undefined ? undefined : plainText(byRaw, 100);
  const note = request.resolution?.note === undefined ? undefined : plainText(request.resolution.note, 1000).trim();
  const byText = by ? ` by ${by}` : '';
  const noteText = note ? ` — "${note}"` : '';
  switch (request.status) {
    case 'pending':
      return { state: 'waiting' };
    case 'approved':
      return { state: 'approved', message: `Request ${request.id} was approved${byText}${noteText}.` };
    case 'denied':
      return {
        state: 'refused',
        status: 'denied',
        message: `Request ${request.id} was denied${byText}${noteText}. The run was not started; talk to your approver, or request a band increase.`,
      };
    case 'cancelled':
      return {
        state: 'refused',
        status: 'cancelled',
        message: `Request ${request.id} was cancelled${byText}. The run was not started; start it again to file a new request.`,
      };
    case 'expired':
      return {
        state: 'refused',
        status: 'expired',
        message: `Request ${request.id} expired before anyone decided. The run was not started; start it again to file a new request.`,
      };
  }
}

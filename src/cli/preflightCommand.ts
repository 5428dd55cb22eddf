// `spend-band preflight`: ask before a costly agent run. Exit 0 allow, 10 warn, 11 needs approval,
// 12 deny (docs/contract/cli.md), so a script or git hook can branch on it; --json prints the
// PreflightDecision of Bands API v1 (plus the estimate it was asked with and who decided).
import { isApiError, exitCodeFor } from '../api/apiError';
import { bandForWorkflow } from '../domain/bandLookup';
import { DECISION_WORDS, decisionLines } from '../domain/runDecision';
import { flag, hasFlag, requireFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { DECISION_EXIT, EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { askPreflight, newRunId, preflightRequestOf, type Asked } from '../flows/preflight/decision';
import { isNoEstimate, noEstimateDecision } from '../flows/preflight/noEstimate';
import { localDecision } from '../domain/runDecision';
import type { PreflightSource } from './preflightSource';
import { checkWorkflow } from './workflowCheck';
import { estimateRequestFromArgs, resolveEstimate } from './preflightEstimate';
import { preflightSource } from './preflightSource';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function preflightCommand(ctx: CliContext): Promise<number> {
  const json = hasFlag(ctx.args, 'json');
  const workflow = requireFlag(ctx.args, 'workflow');
  const runId = flag(ctx.args, 'run-id') ?? newRunId();
  if (!UUID.test(runId))
    throw new CliError(`--run-id must be the UUID a previous pre-flight printed, not "${runId}".`, EXIT.usage);
  const description = flag(ctx.args, 'description');
  const estimateRequest = estimateRequestFromArgs(ctx.args);
  if (estimateRequest.kind === 'none') {
    throw new CliError(
      'give an estimate: --estimate-usd N, --estimate-tokens N --model ID, or --from-history AGENT.',
      EXIT.usage,
    );
  }
  const dryRun = hasFlag(ctx.args, 'dry-run');
  const source = await preflightSource(ctx);
  try {
    checkWorkflow(workflow, source.document);
    const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
    const estimate = await resolveEstimate(
      { args: ctx.args, env: ctx.env, now: ctx.now(), signal: ctx.signal, warn },
      estimateRequest,
      workflow,
      source,
    );
    const question = {
      document: source.document,
      client: source.client,
      workflow,
      estimate: estimate.estimate,
      clientRunId: runId,
      ...(description ? { run: { tool: 'spend-band', description: description.slice(0, 500) } } : {}),
      now: ctx.now(),
      signal: ctx.signal,
    };
    let asked: Asked;
    try {
      asked = dryRun ? await askDry(question, source, warn) : await askPreflight(question);
    } catch (error) {
      if (isApiError(error))
        throw new CliError(`the endpoint could not answer the pre-flight: ${error.message}`, exitCodeFor(error));
      throw error;
    }
    const { decision } = asked;
    if (json) {
      printJson(ctx, {
        ...decision,
        client_run_id: runId,
        decided_by: asked.decidedBy,
        estimate: { ...estimate.estimate, explanation: estimate.explanation },
      });
    } else {
      const band = decision.band_id
        ? source.document.bands.find((b) => b.id === decision.band_id)
        : bandForWorkflow(source.document.bands, workflow);
      const lines = decisionLines(decision, estimate.explanation, band);
      lines.push(
        `Decided by ${asked.decidedBy === 'endpoint' ? 'the endpoint' : `this machine from the ${source.source} bands`}; run id ${runId}.`,
      );
      if (dryRun) lines.push('Dry run: nothing was reserved and no request was filed.');
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    const code = DECISION_EXIT[decision.decision];
    if (code !== EXIT.ok)
      ctx.stderr.write(
        `spend-band: ${DECISION_WORDS[decision.decision].toLowerCase()}: ${decision.reason} ${dryRun ? 'This was a dry run: ask without --dry-run to hold the estimate or file the request.' : nextStep(decision.decision, asked.decidedBy, decision.approval?.request_id, runId)}\n`,
      );
    return code;
  } finally {
    await source.client?.close();
  }
}

/**
 * --dry-run: the endpoint's verdict without a reservation or a request when it offers that
 * (capabilities.preflight_dry_run, the reference server); otherwise this machine decides from the
 * endpoint's bands and rules, which reserves nothing either.
 */
async function askDry(
  question: Parameters<typeof askPreflight>[0],
  source: PreflightSource,
  warn: (text: string) => void,
): Promise<Asked> {
  const request = preflightRequestOf(question);
  const caps = source.document.capabilities;
  // no estimate: never an "allow" (the flow's rule, dry or not)
  const checked = isNoEstimate(question.estimate) ? noEstimateDecision : (d: Asked['decision']) => d;
  if (source.client && caps.preflight === true && caps.preflight_dry_run === true) {
    const decision = await source.client.preflight(request, undefined, { signal: question.signal, dryRun: true });
    return { decision: checked(decision), decidedBy: 'endpoint', request };
  }
  if (source.client && caps.preflight === true)
    warn(
      'the endpoint offers no dry run: this machine decides from its bands and rules instead, and nothing is reserved.',
    );
  const decision = localDecision({
    document: question.document,
    workflow: question.workflow,
    estimate: question.estimate,
    now: question.now,
  });
  return { decision: checked(decision), decidedBy: 'local', request };
}

function nextStep(
  decision: string,
  decidedBy: 'endpoint' | 'local',
  requestId: string | undefined,
  runId: string,
): string {
  switch (decision) {
    case 'warn':
      return 'To run anyway: spend-band run --yes … -- COMMAND.';
    case 'needs_approval':
      return requestId
        ? `Approval request ${requestId} is filed; once approved, ask again with --run-id ${runId} (or use spend-band run, which waits).`
        : decidedBy === 'local'
          ? 'These bands cannot file approval requests: ask your approver, or connect an endpoint that can.'
          : 'Ask your approver.';
    case 'deny':
      return 'Do not start the run: make it smaller, or request a band increase (spend-band request).';
    default:
      return '';
  }
}

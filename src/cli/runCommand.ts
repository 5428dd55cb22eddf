// `spend-band run [--workflow CLASS] [estimate] [--yes] [--wait-minutes N] -- COMMAND [ARGS...]`: pre-flight
// first, then the command, whose exit code becomes ours. It starts only on allow, on warn after a
// confirmation (--yes, or "y" at the prompt in a terminal), or on needs_approval once the approver
// said yes (waiting polls the request; Ctrl-C withdraws it). On deny it never starts. Our own lines go
// to stderr: stdout belongs to the command. A run waiting for approval is remembered per command line
// (runIdStore.ts): running the same command again asks about the same run, so an approval is used.
import { createInterface } from 'node:readline';
import { ApiError, exitCodeFor, isApiError } from '../api/apiError';
import { bandForWorkflow } from '../domain/bandLookup';
import { formatMoney } from '../domain/money';
import { approvalState, decisionLines } from '../domain/runDecision';
import { agentOfCommand } from '../domain/runDecisionAgents';
import type { PreflightDecision } from '../domain/schemas';
import { flag, hasFlag } from './args';
import type { CliContext } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { askPreflight, newRunId, waitForDecision, type Asked } from '../flows/preflight/decision';
import { estimateRequestFromArgs, resolveEstimate } from './preflightEstimate';
import { startProcess, StartError } from '../flows/preflight/processTree';
import { childEnvironment } from '../flows/preflight/childEnvironment';
import { preflightSource, type PreflightSource } from './preflightSource';
import { cacheDir } from './paths';
import { checkWorkflow } from './workflowCheck';
import {
  dropPendingRun,
  dropPendingRunOf,
  findPendingRun,
  loadPendingRun,
  savePendingRun,
  type RunKey,
} from './runIdStore';
import { terminalText } from '../domain/untrustedText';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEFAULT_RUN_WORKFLOW = 'background_automation';

export async function runCommand(ctx: CliContext): Promise<number> {
  const [command, ...commandArgs] = ctx.args.rest;
  if (!command)
    throw new CliError(
      'nothing to run: put the command after --, e.g. spend-band run --estimate-usd 3 -- claude -p "fix the tests".',
      EXIT.usage,
    );
  const workflow = flag(ctx.args, 'workflow') ?? DEFAULT_RUN_WORKFLOW;
  const waitText = flag(ctx.args, 'wait-minutes');
  const waitMinutes = waitText === undefined ? undefined : Number(waitText);
  if (waitMinutes !== undefined && !(Number.isFinite(waitMinutes) && waitMinutes >= 0)) {
    throw new CliError(`--wait-minutes takes a number of minutes such as 30, not "${waitText}".`, EXIT.usage);
  }
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  // Our lines quote the endpoint (reasons, notes, error details): nothing in them reaches the terminal as a control sequence.
  const say = (text: string) => ctx.stderr.write(`spend-band: ${terminalText(text, 2000)}\n`);
  const runIdFlag = flag(ctx.args, 'run-id');
  if (runIdFlag !== undefined && !UUID.test(runIdFlag))
    throw new CliError(`--run-id must be the UUID a previous run printed, not "${runIdFlag}".`, EXIT.usage);
  const agent = agentOfCommand(command);
  const estimateRequest = estimateRequestFromArgs(ctx.args, agent?.id);
  const cache = cacheDir(ctx.args, ctx.env);
  const key: RunKey = {
    command: [command, ...commandArgs],
    cwd: flag(ctx.args, 'cwd') ?? process.cwd(),
    workflow,
    endpoint: flag(ctx.args, 'endpoint') ?? ctx.env.SPEND_BAND_ENDPOINT?.trim() ?? '',
  };
  const pending =
    runIdFlag !== undefined ? findPendingRun(cache, runIdFlag) : loadPendingRun(cache, key, ctx.now().getTime());
  const runId = runIdFlag ?? pending?.request.client_run_id ?? newRunId();
  const source = await preflightSource(ctx);
  try {
    checkWorkflow(workflow, source.document);
    // Asking again about a waiting run: the same question, word for word (the endpoint refuses a
    // different body for the same run id), not a fresh estimate.
    const again = pending && pending.request.workflow === workflow ? pending : undefined;
    if (again) say(`asking again about run ${runId}: approval request ${again.request_id}, filed ${again.saved_at}.`);
    const estimate = again
      ? { estimate: again.request.estimate, explanation: again.explanation }
      : await resolveEstimate(
          { args: ctx.args, env: ctx.env, now: ctx.now(), signal: ctx.signal, warn: say },
          estimateRequest,
          workflow,
          source,
        );
    const description = flag(ctx.args, 'description') ?? [command, ...commandArgs].join(' ');
    const settle = () => {
      dropPendingRun(cache, key);
      if (again) dropPendingRunOf(cache, again);
    };
    const run = again?.request.run ?? { tool: agent?.id ?? 'spend-band run', description: description.slice(0, 500) };
    const ask = () =>
      askPreflight({
        document: source.document,
        client: source.client,
        workflow,
        estimate: estimate.estimate,
        clientRunId: runId,
        run,
        now: ctx.now(),
        signal: ctx.signal,
      }).catch((error: unknown) => {
        if (isApiError(error))
          throw new CliError(
            `the endpoint could not answer the pre-flight: ${error.message} The command was not started.`,
            exitCodeFor(error),
          );
        throw error;
      });
    let asked = await ask();
    report(ctx, source, asked, estimate.explanation, workflow, hasFlag(ctx.args, 'json'));

    if (asked.decision.decision === 'needs_approval') {
      const requestId = asked.decision.approval?.request_id;
      if (!requestId || !source.client) {
        say(
          `needs approval, but ${asked.decidedBy === 'local' ? `the ${source.source} bands cannot file approval requests` : 'the endpoint filed no request'}. The command was not started: ask your approver, or connect an endpoint that can file the request.`,
        );
        return EXIT.needsApproval;
      }
      savePendingRun(cache, key, {
        request: asked.request,
        explanation: estimate.explanation,
        request_id: requestId,
        saved_at: again?.saved_at ?? ctx.now().toISOString(),
      });
      if (waitMinutes === undefined && !interactive) {
        say(
          `approval request ${requestId} is ${again ? 'still pending' : 'filed'}; the command was not started. Run the same command again once it is approved (it asks about run ${runId}, no new request), or wait for it with --wait-minutes N.`,
        );
        return EXIT.needsApproval;
      }
      const approved = await waitForApproval(ctx, source, requestId, waitMinutes, say);
      if (approved !== true) {
        // withdrawn or refused: the next run is a new question; still pending: keep it
        if (approved === 'settled') settle();
        return EXIT.needsApproval;
      }
      asked = await ask();
      report(ctx, source, asked, estimate.explanation, workflow, hasFlag(ctx.args, 'json'));
    }

    // decided (or withdrawn): the next run of this command line is a new run
    if (asked.decision.decision !== 'needs_approval') settle();
    switch (asked.decision.decision) {
      case 'allow':
        break;
      case 'warn':
        if (hasFlag(ctx.args, 'yes')) {
          say('warned, running anyway (--yes).');
          break;
        }
        if (interactive && (await confirm(ctx, 'Run anyway? [y/N] '))) break;
        say(`warned: the command was not started. ${interactive ? '' : 'Pass --yes to run it anyway.'}`.trim());
        return EXIT.warn;
      case 'needs_approval':
        say('still needs approval after asking again; the command was not started. Ask your approver.');
        return EXIT.needsApproval;
      case 'deny':
        say(
          'denied: the command was not started. Make the run smaller, or request a band increase (spend-band request).',
        );
        return EXIT.deny;
    }
    return await runChild(ctx, command, commandArgs, workflow, runId, () =>
      giveBack(source, asked.decision.reservation),
    );
  } finally {
    await source.client?.close();
  }
}

function report(
  ctx: CliContext,
  source: PreflightSource,
  asked: Asked,
  explanation: string,
  workflow: string,
  json: boolean,
): void {
  const { decision } = asked;
  if (json) {
    ctx.stderr.write(
      `${JSON.stringify({ ...decision, decided_by: asked.decidedBy, client_run_id: asked.request.client_run_id, estimate: { ...asked.request.estimate, explanation } })}\n`,
    );
    return;
  }
  const band = bandFor(source, decision, workflow);
  for (const line of decisionLines(decision, explanation, band))
    ctx.stderr.write(`spend-band: ${terminalText(line, 2000)}\n`);
}

function bandFor(source: PreflightSource, decision: PreflightDecision, workflow: string) {
  return decision.band_id
    ? source.document.bands.find((b) => b.id === decision.band_id)
    : bandForWorkflow(source.document.bands, workflow);
}

/** true when approved; 'settled' when refused or withdrawn (Ctrl-C); 'pending' when the wait ran out. */
async function waitForApproval(
  ctx: CliContext,
  source: PreflightSource,
  requestId: string,
  waitMinutes: number | undefined,
  say: (t: string) => void,
): Promise<true | 'settled' | 'pending'> {
  const client = source.client!;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer =
    waitMinutes !== undefined
      ? setTimeout(() => ((timedOut = true), controller.abort()), waitMinutes * 60_000)
      : undefined;
  say(
    `waiting for approval of request ${requestId}${waitMinutes !== undefined ? ` (up to ${waitMinutes} min)` : ''}; Ctrl-C withdraws it.`,
  );
  try {
    const request = await waitForDecision(client, requestId, {
      signal: controller.signal,
      onTransientError: (error) => say(`still waiting; the endpoint did not answer: ${error.detail}`),
    });
    const state = approvalState(request);
    if (state.state === 'approved') {
      say(state.message);
      return true;
    }
    say(state.state === 'refused' ? state.message : `request ${requestId} is ${request.status}.`);
    return 'settled';
  } catch (error) {
    if (!(error instanceof ApiError) || error.kind !== 'aborted') {
      if (isApiError(error))
        throw new CliError(`could not follow approval request ${requestId}: ${error.message}`, exitCodeFor(error));
      throw error;
    }
    if (timedOut) {
      say(
        `no decision on request ${requestId} within ${waitMinutes} min; it stays pending. Run the same command again once it is approved.`,
      );
      return 'pending';
    }
    // withdrawn on purpose: a separate signal, the one that stopped us is already aborted
    await client.cancelRequest(requestId, { signal: AbortSignal.timeout(10_000) }).then(
      () => say(`request ${requestId} withdrawn; the command was not started.`),
      (cancelError: unknown) =>
        say(
          `could not withdraw request ${requestId} (${(cancelError as Error).message}); cancel it with the Requests view or your approver.`,
        ),
    );
    return 'settled';
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      ctx.signal.addEventListener('abort', () => resolve(''), { once: true });
      rl.question(question, resolve);
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * The command never started: what its pre-flight held goes back at once where the endpoint can release
 * it (capability `reservation_release`, the reference server), else the sentence says until when it
 * stays held (Bands API v1 has no release: a reservation ends when it expires).
 */
async function giveBack(source: PreflightSource, reservation: PreflightDecision['reservation']): Promise<string> {
  if (!reservation) return '';
  const amount = formatMoney(reservation.amount);
  if (source.client && source.document.capabilities.reservation_release === true) {
    try {
      await source.client.releaseReservation(reservation.id, { signal: AbortSignal.timeout(10_000) });
      return ` The ${amount} reserved for it was released.`;
    } catch (error) {
      return ` The ${amount} reserved for it could not be released (${(error as Error).message}); it stays held until ${reservation.expires_at}.`;
    }
  }
  return ` The ${amount} reserved for it stays held until ${reservation.expires_at} (this endpoint cannot release a reservation early).`;
}

async function runChild(
  ctx: CliContext,
  command: string,
  args: string[],
  workflow: string,
  runId: string,
  release: () => Promise<string>,
): Promise<number> {
  if (ctx.signal.aborted) return EXIT.cancelled;
  let child;
  try {
    child = await startProcess(command, args, {
      cwd: flag(ctx.args, 'cwd'),
      // no Bands API token; the class and run id (and OTEL_RESOURCE_ATTRIBUTES) so the agent's own
      // telemetry and hooks are attributed to the band (flows/preflight/childEnvironment.ts)
      env: childEnvironment(ctx.env, { workflow, runId, tokenVariable: flag(ctx.args, 'token-env') }),
      stdio: 'inherit',
      // the child stays in our process group: Ctrl-C in the terminal reaches it and its children directly
      group: false,
    });
  } catch (error) {
    if (error instanceof StartError)
      throw new CliError(`${error.message}. Nothing ran.${await release()}`, EXIT.cannotStart);
    throw error;
  }
  const onAbort = () => void child.stop();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await child.exited;
    return exit.code;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

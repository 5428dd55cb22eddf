// One guarded agent run, as the pseudoterminal of a `spendBand` task: estimate, pre-flight, then by
// decision — allow: start the process (its output streamed here, its exit code the task's); warn: a
// modal with the estimate and what would be left (Run anyway / Request Increase / Cancel);
// needs_approval: wait here for the approver, polling the request, and ask again once approved;
// deny: say why and do not start. Ctrl-C or terminating the task stops everything: the wait (and the
// request is withdrawn) or the process tree. The run is tagged with its workflow class meanwhile.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { ApiError, exitCodeFor, isApiError } from '../api/apiError';
import { DECISION_EXIT, EXIT } from '../domain/exitCodes';
import { approvalState, decisionLines, headroomText } from '../domain/runDecision';
import { agentById, agentOfCommand, needsPrompt } from '../domain/runDecisionAgents';
import type { Decision } from '../domain/schemas';
import { newRunId, waitForDecision } from '../flows/preflight/decision';
import { startProcess, StartError, type RunningProcess } from '../flows/preflight/processTree';
import { childEnvironment } from '../flows/preflight/childEnvironment';
import { PreflightProblem, type Decided, type PreflightRunner, type RunSpec } from './preflightRunner';
import { terminalText } from '../domain/untrustedText';

/** How a run ended; what the ad-hoc command resolves with. */
export interface RunResult {
  started: boolean;
  /** the last decision, when one was reached */
  decision?: Decision;
  /** the process's exit code when it ran, else 10/11/12 (warn declined / not approved / denied), 130 cancelled, 2-5 problems */
  exitCode: number;
  reason: string;
  requestId?: string;
  clientRunId: string;
}

export interface PreflightUi {
  /** a modal; resolves with the chosen button, or undefined for Cancel */
  confirm(message: string, detail: string, buttons: readonly string[]): Promise<string | undefined>;
  /** one line of input, undefined when dismissed */
  input(title: string, prompt: string): Promise<string | undefined>;
}

export interface AgentRunHooks {
  runner: PreflightRunner;
  ui: PreflightUi;
  /** tags the run's class; the returned function restores the previous one */
  tag(workflow: string): () => void;
  requestIncrease(bandId: string | undefined): Promise<void>;
  pollSeconds(): number;
  log: vscode.LogOutputChannel;
}

export const RUN_ANYWAY = 'Run Anyway';
export const REQUEST_INCREASE = 'Request Increase';

const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';
const COLOUR: Record<Decision, string> = { allow: GREEN, warn: YELLOW, needs_approval: YELLOW, deny: RED };

export class AgentRunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly controller = new AbortController();
  private process: RunningProcess | undefined;
  private finished = false;
  private resolveDone!: (result: RunResult) => void;
  readonly done = new Promise<RunResult>((resolve) => (this.resolveDone = resolve));
  readonly clientRunId = newRunId();

  constructor(
    private readonly spec: RunSpec,
    private readonly hooks: AgentRunHooks,
  ) {}

  open(): void {
    void this.run().catch((error: unknown) => {
      this.hooks.log.error(`Guarded run failed: ${(error as Error).stack ?? String(error)}`);
      this.finish({
        started: false,
        exitCode: EXIT.internal,
        reason: `Internal error (a bug; please report it with the log): ${(error as Error).message}`,
      });
    });
  }

  /** The task was terminated (or the terminal closed). */
  close(): void {
    this.cancel();
  }

  /** Only Ctrl-C: the run's input is closed at start (`claude -p` would otherwise wait for the end of stdin). */
  handleInput(data: string): void {
    if (data.includes('\x03')) {
      this.line(`${DIM}^C${RESET}`);
      this.cancel();
    }
  }

  private cancel(): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    void this.process?.stop();
  }

  private write(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private line(text = ''): void {
    this.write(`${text}\n`);
  }

  private finish(result: Omit<RunResult, 'clientRunId'>): void {
    if (this.finished) return;
    this.finished = true;
    const full = { ...result, clientRunId: this.clientRunId };
    this.hooks.log.info(
      `Guarded run ${this.clientRunId} (${this.describe()}): ${result.started ? 'ran' : 'not started'}, exit ${result.exitCode}${result.decision ? `, decision ${result.decision}` : ''}.`,
    );
    this.resolveDone(full);
    this.closeEmitter.fire(result.exitCode);
  }

  private describe(): string {
    return [this.spec.command ?? '', ...(this.spec.args ?? [])].join(' ').trim();
  }

  private async run(): Promise<void> {
    const spec = { ...this.spec, args: [...(this.spec.args ?? [])] };
    const signal = this.controller.signal;
    if (spec.problem) {
      this.line(
        `${RED}This spendBand task's definition is invalid: ${spec.problem}.${RESET} Fix it in tasks.json and run the task again.`,
      );
      this.finish({ started: false, exitCode: EXIT.usage, reason: spec.problem });
      return;
    }
    if (!spec.command) {
      this.line(
        `${RED}This spendBand task has no "command".${RESET} Add "command" (and "args") to its definition in tasks.json.`,
      );
      this.finish({ started: false, exitCode: EXIT.usage, reason: 'no command' });
      return;
    }
    const agent = (spec.agent ? agentById(spec.agent) : undefined) ?? agentOfCommand(spec.command);
    if (agent && needsPrompt(agent, spec.args)) {
      const prompt = await this.hooks.ui.input(
        `Spend Band: ${agent.label} run`,
        `What should ${spec.command} ${spec.args.join(' ')} do?`,
      );
      if (!prompt?.trim()) {
        this.line('No prompt given; nothing was started.');
        this.finish({ started: false, exitCode: EXIT.cancelled, reason: 'no prompt' });
        return;
      }
      spec.args.push(prompt.trim());
    }
    const workflow = this.hooks.runner.workflowOf(spec);
    this.line(`${BOLD}Spend Band pre-flight${RESET} ${DIM}(${workflow}, run ${this.clientRunId})${RESET}`);
    this.line(`${DIM}$ ${[spec.command, ...spec.args.map(quoteForDisplay)].join(' ')}${RESET}`);

    let decided: Decided;
    let explanation: string;
    try {
      const estimate = await this.hooks.runner.estimate(spec, signal);
      explanation = estimate.explanation;
      decided = await this.hooks.runner.decide(spec, estimate, this.clientRunId, signal);
    } catch (error) {
      this.problem(error);
      return;
    }
    try {
      await this.follow(spec, decided, explanation, false);
    } finally {
      await decided.client?.close();
    }
  }

  /** Act on a decision; `afterApproval` stops a second round of approval. */
  private async follow(
    spec: RunSpec & { args: string[] },
    decided: Decided,
    explanation: string,
    afterApproval: boolean,
  ): Promise<void> {
    const { decision } = decided;
    this.printDecision(decided, explanation);
    if (decided.stale)
      this.line(`${YELLOW}Decided from bands fetched earlier: the source did not answer the last refresh.${RESET}`);
    switch (decision.decision) {
      case 'allow':
        await this.start(spec, decision.decision);
        return;
      case 'warn': {
        const choice = await this.hooks.ui.confirm(
          `Spend Band: ${decision.reason}`,
          [`Estimate: ${explanation}`, headroomText(decision, decided.band), `Run: ${this.describe() || spec.command}`]
            .filter(Boolean)
            .join('\n'),
          [RUN_ANYWAY, REQUEST_INCREASE],
        );
        if (this.controller.signal.aborted) return this.cancelled(decision.decision);
        if (choice === RUN_ANYWAY) {
          this.line(`${YELLOW}Running anyway.${RESET}`);
          await this.start(spec, decision.decision);
          return;
        }
        if (choice === REQUEST_INCREASE) {
          this.line('Not started; opening the band increase request.');
          void this.hooks.requestIncrease(decision.band_id ?? decided.band?.id);
        } else this.line('Not started (cancelled at the warning).');
        this.finish({ started: false, decision: 'warn', exitCode: DECISION_EXIT.warn, reason: decision.reason });
        return;
      }
      case 'needs_approval':
        if (afterApproval) {
          this.line(`${RED}Still needs approval after the approval; not started.${RESET} Ask your approver.`);
          this.finish({
            started: false,
            decision: 'needs_approval',
            exitCode: DECISION_EXIT.needs_approval,
            reason: decision.reason,
          });
          return;
        }
        await this.awaitApproval(spec, decided, explanation);
        return;
      case 'deny':
        this.line(`${RED}Not started.${RESET} Make the run smaller, or request a band increase.`);
        this.finish({ started: false, decision: 'deny', exitCode: DECISION_EXIT.deny, reason: decision.reason });
        return;
    }
  }

  private printDecision(decided: Decided, explanation: string): void {
    // Every line can carry endpoint text (the reason, the band's label in the headroom): terminal-safe (#20 finding 4).
    const lines = decisionLines(decided.decision, explanation, decided.band).map((l) => terminalText(l, 2000));
    const colour = COLOUR[decided.decision.decision] ?? '';
    lines[1] = `${colour}${BOLD}${lines[1]}${RESET}`;
    for (const l of lines) this.line(l);
    this.line(
      `${DIM}Decided by ${decided.decidedBy === 'endpoint' ? 'the endpoint' : 'this machine from your bands and their escalation rules'}.${RESET}`,
    );
  }

  private async awaitApproval(
    spec: RunSpec & { args: string[] },
    decided: Decided,
    explanation: string,
  ): Promise<void> {
    const requestId = decided.decision.approval?.request_id;
    const client = decided.client;
    if (!requestId || !client) {
      this.line(
        `${RED}Not started:${RESET} these bands cannot file an approval request. Ask your approver, or connect an endpoint that can.`,
      );
      this.finish({
        started: false,
        decision: 'needs_approval',
        exitCode: DECISION_EXIT.needs_approval,
        reason: decided.decision.reason,
      });
      return;
    }
    this.line(
      `Waiting for approval of request ${BOLD}${requestId}${RESET}… (Ctrl-C or terminating the task withdraws it)`,
    );
    const started = Date.now();
    let request;
    try {
      request = await waitForDecision(client, requestId, {
        signal: this.controller.signal,
        intervalMs: () => this.hooks.pollSeconds() * 1000,
        onTransientError: (error) =>
          this.line(`${DIM}The endpoint did not answer (${terminalText(error.detail)}); still waiting.${RESET}`),
      });
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'aborted') {
        try {
          await client.cancelRequest(requestId, { signal: AbortSignal.timeout(10_000) });
          this.line(`Request ${requestId} withdrawn. Nothing was started.`);
        } catch (cancelError) {
          this.line(
            `${YELLOW}Could not withdraw request ${requestId}: ${terminalText((cancelError as Error).message)}${RESET} Cancel it in the Requests view.`,
          );
        }
        this.finish({
          started: false,
          decision: 'needs_approval',
          exitCode: EXIT.cancelled,
          reason: 'cancelled while waiting for approval',
          requestId,
        });
        return;
      }
      this.problem(error, requestId);
      return;
    }
    const state = approvalState(request);
    const waited = Math.round((Date.now() - started) / 1000);
    if (state.state !== 'approved') {
      this.line(
        `${RED}${terminalText(state.state === 'refused' ? state.message : `Request ${requestId} is ${request.status}.`, 2000)}${RESET}`,
      );
      this.finish({
        started: false,
        decision: 'needs_approval',
        exitCode: DECISION_EXIT.needs_approval,
        reason: state.state === 'refused' ? state.message : request.status,
        requestId,
      });
      return;
    }
    this.line(`${GREEN}${terminalText(state.message, 2000)}${RESET} ${DIM}(after ${waited} s)${RESET}`);
    // the same client_run_id: the endpoint now answers with the approved decision (and a reservation)
    let again: Decided;
    try {
      // the very estimate asked with before: the endpoint refuses a different body for the same run id
      again = await this.hooks.runner.decide(
        spec,
        { estimate: decided.request.estimate, explanation },
        this.clientRunId,
        this.controller.signal,
      );
    } catch (error) {
      this.problem(error, requestId);
      return;
    }
    try {
      await this.follow(spec, again, explanation, true);
    } finally {
      await again.client?.close();
    }
  }

  private async start(spec: RunSpec & { args: string[] }, decision: Decision): Promise<void> {
    if (this.controller.signal.aborted) return this.cancelled(decision);
    const cwd = spec.cwd || vscode.workspace.workspaceFolders?.[0]?.uri.fsPath || homedir();
    const workflow = this.hooks.runner.workflowOf(spec);
    const untag = this.hooks.tag(workflow);
    try {
      try {
        this.process = await startProcess(spec.command!, spec.args, {
          cwd,
          // no Bands API token; the class for the agent's telemetry (flows/preflight/childEnvironment.ts)
          env: childEnvironment(process.env, { workflow, runId: this.clientRunId }),
          stdio: 'pipe',
          group: true,
          onOutput: (text) => this.write(text),
        });
      } catch (error) {
        if (!(error instanceof StartError)) throw error;
        this.line(`${RED}${error.message}.${RESET} Nothing ran: fix "command" (or the PATH) and run the task again.`);
        this.finish({ started: false, decision, exitCode: EXIT.cannotStart, reason: error.message });
        return;
      }
      this.line(`${DIM}Started (pid ${this.process.pid ?? '?'}) in ${cwd}.${RESET}`);
      // agents read a piped stdin to its end before they start (`claude -p`): give them an empty one
      this.process.closeInput();
      if (this.controller.signal.aborted) void this.process.stop();
      const exit = await this.process.exited;
      const how = this.controller.signal.aborted
        ? 'Stopped (with everything it started)'
        : exit.signal
          ? `Ended by ${exit.signal}`
          : `Exited with code ${exit.code}`;
      this.line(`${DIM}${how}.${RESET}`);
      this.finish({
        started: true,
        decision,
        exitCode: this.controller.signal.aborted ? EXIT.cancelled : exit.code,
        reason: how,
      });
    } finally {
      untag();
    }
  }

  private cancelled(decision?: Decision): void {
    this.line('Cancelled; nothing was started.');
    this.finish({ started: false, ...(decision ? { decision } : {}), exitCode: EXIT.cancelled, reason: 'cancelled' });
  }

  private problem(error: unknown, requestId?: string): void {
    if (error instanceof ApiError && error.kind === 'aborted') return this.cancelled();
    let message: string;
    let code: number;
    if (error instanceof PreflightProblem) {
      message = error.message;
      code = error.exitCode;
    } else if (isApiError(error)) {
      message = `The endpoint could not answer: ${error.message}`;
      code = exitCodeFor(error);
    } else throw error;
    this.line(`${RED}${terminalText(message, 2000)}${RESET}`);
    this.line('Nothing was started.');
    this.finish({ started: false, exitCode: code, reason: message, ...(requestId ? { requestId } : {}) });
  }
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

// Watching terminals: with shell integration, VS Code reports each command line once it has started.
// A line that matches an agent pattern while its class's band is at warn or worse gets a warning.
// It cannot stop the command — the event comes after the shell started it — so the warning says so,
// and points at the guarded ways to start a run (the spendBand task, `spend-band run`).
import * as vscode from 'vscode';
import { bandForWorkflow } from '../domain/bandLookup';
import { formatMoney } from '../domain/money';
import { compileAgentPatterns, type CompiledPatterns } from '../domain/runDecisionAgents';
import type { Band } from '../domain/schemas';
import type { FeatureDeps } from './featureDeps';
import { showWarningMessage } from './notify';

const AT_RISK = new Set(['warn', 'critical', 'exceeded']);
/** The same terminal, band and status warn once in this long: a loop of agent runs must not become a loop of toasts. */
const QUIET_MS = 30 * 60_000;

export const SHOW_BANDS = 'Show Bands';

export interface TerminalWarning {
  commandLine: string;
  workflow: string;
  band: Band;
  message: string;
}

export class TerminalWatch implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private compiled: { key: string; patterns: CompiledPatterns } | undefined;
  private readonly lastWarned = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<TerminalWarning>();
  /** fired for every warning shown (the integration tests and the log read it) */
  readonly onDidWarn = this.emitter.event;
  readonly available: boolean;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly requestIncrease: (bandId: string) => Promise<void>,
  ) {
    // guarded: shell integration events are in @types/vscode 1.96, but a host may lack them (web, older forks)
    const onStart = (
      vscode.window as { onDidStartTerminalShellExecution?: vscode.Event<vscode.TerminalShellExecutionStartEvent> }
    ).onDidStartTerminalShellExecution;
    this.available = typeof onStart === 'function';
    if (onStart)
      this.disposables.push(onStart((event) => this.onCommand(event.execution.commandLine.value, event.terminal.name)));
    else
      deps.log.info(
        'Pre-flight: this VS Code reports no terminal commands (no shell integration API); terminal watching is off.',
      );
    this.disposables.push(this.emitter);
  }

  private patterns(): CompiledPatterns {
    const agentPatterns = this.deps.config.get('spendBand.preflight.agentPatterns');
    const key = JSON.stringify(agentPatterns);
    if (this.compiled?.key !== key) {
      const patterns = compileAgentPatterns(agentPatterns);
      for (const problem of patterns.problems)
        this.deps.log.warn(`Setting spendBand.preflight.agentPatterns: ${problem}; it is skipped.`);
      this.compiled = { key, patterns };
    }
    return this.compiled.patterns;
  }

  /** Public for the integration tests, which cannot type into a shell with integration in every host. */
  onCommand(commandLine: string, terminalName: string, nowMs = Date.now()): TerminalWarning | undefined {
    if (!this.deps.config.get('spendBand.preflight.watchTerminals')) return undefined;
    const match = this.patterns().match(commandLine);
    if (!match) return undefined;
    const workflow = match.pattern.workflow ?? this.deps.currentWorkflow();
    const snapshot = this.deps.snapshot();
    const band = snapshot?.document ? bandForWorkflow(snapshot.document.bands, workflow) : undefined;
    if (!band || !AT_RISK.has(band.status)) return undefined;
    const key = `${terminalName}\u0000${band.id}\u0000${band.status}`;
    const last = this.lastWarned.get(key);
    if (last !== undefined && nowMs - last < QUIET_MS) return undefined;
    this.lastWarned.set(key, nowMs);
    const label = band.label ?? band.id;
    const left =
      band.remaining.amount_micros >= 0
        ? `${formatMoney(band.remaining)} left of ${formatMoney(band.allocated)}`
        : `${formatMoney({ ...band.remaining, amount_micros: -band.remaining.amount_micros })} over ${formatMoney(band.allocated)}`;
    const message =
      `Spend Band: an agent started in terminal "${terminalName}" while ${label} is ${band.status === 'exceeded' ? 'exceeded' : `at ${band.status}`} (${left}). ` +
      'It was not stopped — a terminal reports a command only after it started. To check before a run, use a spendBand task or `spend-band run`.';
    const warning: TerminalWarning = { commandLine, workflow, band, message };
    this.deps.log.warn(
      `Terminal "${terminalName}": "${commandLine.slice(0, 200)}" matched agent pattern ${match.index + 1}; ${label} is ${band.status}.`,
    );
    this.emitter.fire(warning);
    const actions = snapshot?.document?.capabilities.increase_requests
      ? [SHOW_BANDS, 'Request Increase']
      : [SHOW_BANDS];
    void showWarningMessage(message, ...actions).then((choice) => {
      if (choice === SHOW_BANDS) void vscode.commands.executeCommand('spendBand.openView');
      else if (choice === 'Request Increase') void this.requestIncrease(band.id);
    });
    return warning;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

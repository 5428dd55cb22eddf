// Pre-flight for agent runs (issue #7), wired from the composition root: the `spendBand` task type and
// its provider, the "Run Agent with Pre-flight…" command, terminal watching, the Language Model Tools
// and the exported checkRun(). The decisions come from PreflightRunner (endpoint or the shared verdict).
import * as vscode from 'vscode';
import { decimalToMicros } from '../domain/money';
import { agentById, splitCommandLine, type KnownAgent } from '../domain/runDecisionAgents';
import type { PreflightDecision } from '../domain/schemas';
import { newRunId } from '../flows/preflight/decision';
import { AgentRunTerminal, type PreflightUi, type RunResult } from './agentTaskTerminal';
import { AgentTaskProvider, agentsOnPath, TASK_TYPE, type SpendBandTaskDefinition } from './agentTaskProvider';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';
import { registerLmTools } from './lmTools';
import { DEFAULT_RUN_WORKFLOW, PreflightRunner, type RunSpec } from './preflightRunner';
import { TerminalWatch, type TerminalWarning } from './terminalWatch';
import { showErrorMessage, showWarningMessage } from './notify';

/** What checkRun() takes: the class and an estimate (USD, or tokens and a model, or an agent's history). */
export interface CheckRunInput {
  workflow?: string;
  costUsd?: number;
  tokens?: number;
  model?: string;
  agent?: string;
  description?: string;
}

export interface PreflightFeature extends vscode.Disposable {
  /** the exported API for other extensions: a pre-flight decision for an estimated run */
  checkRun(estimate: CheckRunInput): Promise<PreflightDecision>;
}

/** Arguments of spendBand.runWithPreflight when called from code (another extension, a keybinding, a test). */
export type RunWithPreflightArgs = RunSpec & { name?: string };

/** Internal commands registered only in ExtensionMode.Test: the integration tests answer the modal and input box through them. */
export const TEST_COMMANDS = {
  answer: 'spendBand.preflight.test.answer',
  shown: 'spendBand.preflight.test.shown',
  terminalWarnings: 'spendBand.preflight.test.terminalWarnings',
  /** the answer to "start this program?" for runWithPreflight called with arguments ('Run' or null = Cancel), and the modals shown */
  outsideAnswer: 'spendBand.preflight.test.outsideAnswer',
  outsideShown: 'spendBand.preflight.test.outsideShown',
} as const;

const RUN_PROGRAM = 'Run';

/**
 * runWithPreflight called with arguments comes from outside the extension's own UI: another
 * extension, a keybinding, a command link in some Markdown. Before it starts anything, the person
 * sees exactly what would run and says yes (issue #20 finding 2). Arguments are shown as JSON
 * strings, so spaces, quotes and control characters are visible as they are.
 */
export function describeOutsideRun(spec: RunWithPreflightArgs, cwd: string | undefined): string {
  const lines = [
    `Program: ${JSON.stringify(spec.command)}`,
    `Arguments: ${spec.args && spec.args.length > 0 ? spec.args.map((a) => JSON.stringify(String(a))).join(' ') : '(none)'}`,
    `Folder: ${JSON.stringify(spec.cwd || cwd || '(the first workspace folder)')}`,
    `Class: ${JSON.stringify(spec.workflow ?? DEFAULT_RUN_WORKFLOW)}; estimate: ${spec.estimate ? JSON.stringify(spec.estimate) : '(from history)'}`,
    '',
    'Another extension, a keybinding or a link asked Spend Band to start this program. Run it only if you expected it.',
  ];
  return lines.join('\n');
}

export interface ShownPrompt {
  kind: 'confirm' | 'input';
  message: string;
  detail: string;
  buttons: readonly string[];
  answer: string | undefined;
}

/** The real modal and input box; in Test mode a queued answer replaces the click, and every prompt is recorded. */
class PreflightPrompts implements PreflightUi {
  readonly answers: (string | null)[] = [];
  readonly shown: ShownPrompt[] = [];

  constructor(private readonly testMode: boolean) {}

  async confirm(message: string, detail: string, buttons: readonly string[]): Promise<string | undefined> {
    const queued = this.queued();
    const answer =
      queued !== undefined
        ? (queued ?? undefined)
        : await showWarningMessage(message, { modal: true, detail }, ...buttons);
    if (this.testMode) this.shown.push({ kind: 'confirm', message, detail, buttons, answer });
    return answer ?? undefined;
  }

  async input(title: string, prompt: string): Promise<string | undefined> {
    const queued = this.queued();
    const answer =
      queued !== undefined
        ? (queued ?? undefined)
        : await vscode.window.showInputBox({ title, prompt, ignoreFocusOut: true });
    if (this.testMode) this.shown.push({ kind: 'input', message: title, detail: prompt, buttons: [], answer });
    return answer ?? undefined;
  }

  /** undefined: no queued answer (show the real UI); null in the queue stands for Cancel */
  private queued(): string | undefined | null {
    if (!this.testMode || this.answers.length === 0) return undefined;
    return this.answers.shift() ?? null;
  }
}

/**
 * Tags a run's class while it runs and puts the previous class back after the last run ends — unless
 * the developer switched class meanwhile, which wins.
 */
class RunTagger {
  private active = 0;
  private previous: string | undefined;
  private tagged: string | undefined;

  constructor(private readonly deps: FeatureDeps) {}

  tag(workflow: string): () => void {
    if (this.active === 0) this.previous = this.deps.currentWorkflow();
    this.active++;
    this.tagged = workflow;
    this.deps.setWorkflow(workflow, 'task');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (this.active > 0 || this.previous === undefined) return;
      if (this.deps.currentWorkflow() === this.tagged && this.previous !== this.tagged)
        this.deps.setWorkflow(this.previous, 'restore');
      this.previous = undefined;
      this.tagged = undefined;
    };
  }
}

export function registerPreflight(deps: FeatureDeps): PreflightFeature {
  const disposables: vscode.Disposable[] = [];
  const testMode = deps.context.extensionMode === vscode.ExtensionMode.Test;
  const runner = new PreflightRunner(deps);
  const prompts = new PreflightPrompts(testMode);
  /** Test mode only: a standing answer to the outside-run modal (undefined = show the real modal). */
  const outside: { queued: string | null | undefined; shown: ShownPrompt[] } = { queued: undefined, shown: [] };
  const tagger = new RunTagger(deps);
  const terminalFor = (spec: RunSpec) =>
    new AgentRunTerminal(spec, {
      runner,
      ui: prompts,
      tag: (workflow) => tagger.tag(workflow),
      requestIncrease: (bandId) => deps.requestIncrease(bandId),
      pollSeconds: () => deps.config.get('spendBand.preflight.approvalPollSeconds'),
      log: deps.log,
    });
  const provider = new AgentTaskProvider(terminalFor, deps.log);
  disposables.push(vscode.tasks.registerTaskProvider(TASK_TYPE, provider));

  /** Run a spec as a task (so it shows in the terminal panel and can be terminated) and wait for its end. */
  const runAsTask = async (spec: RunWithPreflightArgs): Promise<RunResult> => {
    const terminal = terminalFor(spec);
    const definition: SpendBandTaskDefinition = {
      type: TASK_TYPE,
      command: spec.command ?? '',
      ...(spec.args ? { args: [...spec.args] } : {}),
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      ...(spec.agent ? { agent: spec.agent } : {}),
      workflow: spec.workflow ?? DEFAULT_RUN_WORKFLOW,
      ...(spec.estimate ? { estimate: spec.estimate } : {}),
    };
    const name = spec.name ?? `${[spec.command, ...(spec.args ?? [])].join(' ').slice(0, 60)} (with pre-flight)`;
    const scope = vscode.workspace.workspaceFolders?.[0] ?? vscode.TaskScope.Workspace;
    await vscode.tasks.executeTask(provider.task(definition, name, scope, definition, terminal));
    return terminal.done;
  };

  disposables.push(
    vscode.commands.registerCommand(COMMANDS.runWithPreflight, async (args?: RunWithPreflightArgs) => {
      const fromOutside = args !== undefined && args !== null;
      if (
        fromOutside &&
        (typeof args !== 'object' ||
          typeof args.command !== 'string' ||
          (args.args !== undefined && !Array.isArray(args.args)))
      ) {
        void showErrorMessage(
          'Spend Band: runWithPreflight was given arguments it cannot use ({command: string, args: string[]}); nothing was started.',
        );
        return undefined;
      }
      const spec = fromOutside ? args : await askForRun(deps);
      if (!spec) return undefined;
      if (fromOutside) {
        const detail = describeOutsideRun(spec, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
        const answer =
          outside.queued !== undefined
            ? (outside.queued ?? undefined)
            : await showWarningMessage('Spend Band: start this program?', { modal: true, detail }, RUN_PROGRAM);
        if (testMode)
          outside.shown.push({
            kind: 'confirm',
            message: 'Spend Band: start this program?',
            detail,
            buttons: [RUN_PROGRAM],
            answer,
          });
        if (answer !== RUN_PROGRAM) return undefined;
      }
      return runAsTask(spec);
    }),
  );

  const watch = new TerminalWatch(deps, (bandId) => deps.requestIncrease(bandId));
  disposables.push(watch, registerLmTools(deps, runner));

  if (testMode) {
    const warnings: TerminalWarning[] = [];
    disposables.push(
      watch.onDidWarn((w) => warnings.push(w)),
      vscode.commands.registerCommand(TEST_COMMANDS.answer, (answers: (string | null)[]) => {
        prompts.answers.push(...answers);
      }),
      vscode.commands.registerCommand(TEST_COMMANDS.shown, () => prompts.shown.splice(0)),
      vscode.commands.registerCommand(TEST_COMMANDS.outsideAnswer, (answer: string | null | undefined) => {
        outside.queued = answer;
      }),
      vscode.commands.registerCommand(TEST_COMMANDS.outsideShown, () => outside.shown.splice(0)),
      vscode.commands.registerCommand(TEST_COMMANDS.terminalWarnings, () =>
        warnings.map((w) => ({
          commandLine: w.commandLine,
          workflow: w.workflow,
          bandId: w.band.id,
          message: w.message,
        })),
      ),
    );
  }

  return {
    checkRun: async (input) => {
      const { decided } = await runner.check(
        {
          workflow: input?.workflow,
          agent: input?.agent,
          description: input?.description,
          estimate: { usd: input?.costUsd, tokens: input?.tokens, model: input?.model },
        },
        newRunId(),
      );
      return decided.decision;
    },
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}

/** The ad-hoc flow: which agent (or any command), the prompt, the class, the estimate. */
async function askForRun(deps: FeatureDeps): Promise<RunWithPreflightArgs | undefined> {
  const found = agentsOnPath();
  type Pick = vscode.QuickPickItem & { agent?: KnownAgent };
  const items: Pick[] = [
    ...found.map((agent) => ({
      label: `$(hubot) ${agent.command} ${agent.runArgs.join(' ')}`,
      description: agent.label,
      agent,
    })),
    { label: '$(terminal) Other command…', description: 'any program; its cost is checked with your estimate' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Spend Band: Run Agent with Pre-flight (1/3)',
    placeHolder: found.length > 0 ? 'Which agent?' : 'No known agent (claude, codex) on the PATH: run another command',
  });
  if (!picked) return undefined;
  let command: string;
  let args: string[];
  if (picked.agent) {
    const prompt = await vscode.window.showInputBox({
      title: `Spend Band: ${picked.agent.label} run`,
      prompt: `What should ${picked.agent.command} ${picked.agent.runArgs.join(' ')} do?`,
      ignoreFocusOut: true,
    });
    if (!prompt?.trim()) return undefined;
    command = picked.agent.command;
    args = [...picked.agent.runArgs, prompt.trim()];
  } else {
    const line = await vscode.window.showInputBox({
      title: 'Spend Band: command to run',
      prompt: 'The program and its arguments, e.g. ./scripts/nightly-agent.sh --repo api',
      ignoreFocusOut: true,
    });
    const words = line ? splitCommandLine(line) : [];
    if (words.length === 0) return undefined;
    [command, ...args] = words as [string, ...string[]];
  }
  const classes = deps.classes();
  const workflowPick = await vscode.window.showQuickPick(
    [...classes]
      .sort((a, b) => (a.id === DEFAULT_RUN_WORKFLOW ? -1 : b.id === DEFAULT_RUN_WORKFLOW ? 1 : 0))
      .map((c) => ({ label: c.label, description: c.id, id: c.id })),
    { title: 'Spend Band: Run Agent with Pre-flight (2/3) — workflow class of the run' },
  );
  if (!workflowPick) return undefined;
  const agent = picked.agent ?? agentById(command);
  const usd = await vscode.window.showInputBox({
    title: 'Spend Band: Run Agent with Pre-flight (3/3) — estimated cost',
    prompt: agent
      ? `In USD; leave empty to estimate from your past ${agent.label} runs.`
      : 'In USD; leave empty to check without an estimate.',
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (!value.trim()) return undefined;
      try {
        return decimalToMicros(value.trim().replace(/^\$/, '')) >= 0
          ? undefined
          : 'Enter a positive amount such as 4.50';
      } catch {
        return 'Enter an amount in dollars such as 4.50';
      }
    },
  });
  if (usd === undefined) return undefined;
  return {
    command,
    args,
    workflow: workflowPick.id,
    ...(agent ? { agent: agent.id } : {}),
    ...(usd.trim() ? { estimate: { usd: usd.trim().replace(/^\$/, '') } } : {}),
  };
}

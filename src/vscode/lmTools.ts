// Language Model Tools, so a chat agent can ask before it spawns work: the remaining band of a class,
// and a pre-flight decision for a run. Both need `contributes.languageModelTools` in package.json; on
// a host without `vscode.lm.registerTool` (or without the contribution) they are simply not there.
import * as vscode from 'vscode';
import { bandForWorkflow } from '../domain/bandLookup';
import { gaugeFor } from '../domain/gauge';
import { formatMoney } from '../domain/money';
import { DECISION_WORDS, headroomText } from '../domain/runDecision';
import { markdownText } from '../domain/untrustedText';
import type { FeatureDeps } from './featureDeps';
import { newRunId } from '../flows/preflight/decision';
import { DEFAULT_RUN_WORKFLOW, PreflightProblem, type PreflightRunner } from './preflightRunner';

export const TOOL_REMAINING = 'spendBand_remainingBand';
export const TOOL_PREFLIGHT = 'spendBand_preflight';

interface RemainingInput {
  workflow?: string;
}

interface PreflightInput {
  workflow?: string;
  estimateUsd?: number;
  tokens?: number;
  model?: string;
  agent?: string;
  description?: string;
}

function text(value: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);
}

/** The remaining band of a class, as a sentence a model (and a person reading the chat) can use. */
export function remainingBandText(deps: FeatureDeps, workflow: string, now = new Date()): string {
  const snapshot = deps.snapshot();
  const document = snapshot?.document;
  if (!document)
    return 'Spend Band has no bands yet: the developer has not connected a budget endpoint or set local bands. Treat the budget as unknown and ask before costly runs.';
  const band = bandForWorkflow(document.bands, workflow);
  if (!band)
    return `No band covers the workflow class ${workflow}; nothing limits it in Spend Band. Classes with bands: ${document.bands.map((b) => b.workflow).join(', ') || 'none'}.`;
  const gauge = gaugeFor(band, now);
  const lines = [
    `Band ${band.label ?? band.id} (${band.workflow}) for ${workflow}: status ${band.status}.`,
    `Used ${formatMoney(band.used)} of ${formatMoney(band.allocated)}${band.reserved && band.reserved.amount_micros > 0 ? `, ${formatMoney(band.reserved)} reserved by runs in flight` : ''}; ${formatMoney(band.remaining)} remaining (${Math.round(gauge.percentUsed)}% used).`,
    `Resets ${band.period.end}; enforcement ${band.enforcement}${band.enforcement === 'hard' ? ' (the gateway blocks spend beyond the band)' : ''}.`,
  ];
  if (snapshot.stale)
    lines.push(`These figures are from ${snapshot.fetchedAt}; the source did not answer the last refresh.`);
  if (document.escalation.per_run_cap) lines.push(`Per-run cap: ${formatMoney(document.escalation.per_run_cap)}.`);
  return lines.join('\n');
}

export function registerLmTools(deps: FeatureDeps, runner: PreflightRunner): vscode.Disposable {
  const lm = (vscode as { lm?: { registerTool?: typeof vscode.lm.registerTool } }).lm;
  if (typeof lm?.registerTool !== 'function') {
    deps.log.info('Pre-flight: this VS Code has no Language Model Tools API; the spendBand tools are not registered.');
    return new vscode.Disposable(() => undefined);
  }
  const registered: vscode.Disposable[] = [];
  // VS Code refuses (with an error in its log) a tool the manifest does not declare
  const declared = new Set(
    (
      (deps.context.extension.packageJSON as { contributes?: { languageModelTools?: { name?: string }[] } }).contributes
        ?.languageModelTools ?? []
    ).map((t) => t.name),
  );
  const register = <T>(name: string, tool: vscode.LanguageModelTool<T>) => {
    if (!declared.has(name)) {
      deps.log.info(
        `Pre-flight: the language model tool ${name} is not in package.json contributes.languageModelTools; not registered.`,
      );
      return;
    }
    try {
      registered.push(lm.registerTool!(name, tool));
    } catch (error) {
      deps.log.warn(
        `Pre-flight: the language model tool ${name} could not be registered (${(error as Error).message}); is it in package.json contributes.languageModelTools?`,
      );
    }
  };

  register<RemainingInput>(TOOL_REMAINING, {
    invoke: (options) => text(remainingBandText(deps, options.input.workflow?.trim() || deps.currentWorkflow())),
  });

  register<PreflightInput>(TOOL_PREFLIGHT, {
    prepareInvocation: (options) => {
      const workflow = options.input.workflow?.trim() || DEFAULT_RUN_WORKFLOW;
      const snapshot = deps.snapshot();
      const endpointDecides = snapshot?.source === 'endpoint' && snapshot.document?.capabilities.preflight === true;
      const amount =
        options.input.estimateUsd !== undefined
          ? `$${options.input.estimateUsd}`
          : options.input.tokens
            ? `${options.input.tokens} tokens of ${options.input.model ?? '?'}`
            : 'an estimate from past runs';
      return {
        invocationMessage: `Checking a ${workflow} run of ${amount} against your band`,
        // asking the endpoint holds a reservation, and may file an approval request: the person confirms
        ...(endpointDecides
          ? {
              confirmationMessages: {
                title: 'Ask for a pre-flight decision?',
                message: new vscode.MarkdownString(
                  `Spend Band will ask your budget endpoint whether a **${markdownText(workflow)}** run of **${markdownText(amount)}** may start. An allowed run holds that amount for 15 minutes; a run that needs approval files a request to your approver.`,
                ),
              },
            }
          : {}),
      };
    },
    invoke: async (options, token) => {
      const input = options.input;
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        const { decided, estimate } = await runner.check(
          {
            workflow: input.workflow,
            agent: input.agent,
            description: input.description ?? 'asked by a chat agent',
            estimate: { usd: input.estimateUsd, tokens: input.tokens, model: input.model },
          },
          newRunId(),
          controller.signal,
        );
        const d = decided.decision;
        const lines = [
          `Decision: ${d.decision} (${DECISION_WORDS[d.decision]}). ${d.reason}`,
          `Estimate: ${estimate.explanation}`,
        ];
        const headroom = headroomText(d, decided.band);
        if (headroom) lines.push(`Band: ${headroom}.`);
        if (d.approval)
          lines.push(
            `Approval request ${d.approval.request_id} was filed (${d.approval.status}); do not start the run until it is approved.`,
          );
        if (d.decision === 'warn') lines.push('Start the run only if the user agrees after seeing this warning.');
        if (d.decision === 'deny') lines.push('Do not start the run.');
        return text(lines.join('\n'));
      } catch (error) {
        if (error instanceof PreflightProblem) return text(`No decision: ${error.message}`);
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  });

  return new vscode.Disposable(() => {
    for (const d of registered) d.dispose();
  });
}

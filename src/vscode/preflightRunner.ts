// The extension's side of a pre-flight: the estimate for a run (given, tokens × price, or this
// developer's history from local metering or the endpoint), and the decision — from the endpoint when
// it has the `preflight` capability, else the shared pure verdict over the bands on screen. Used by
// the guarded task, the ad-hoc command, checkRun() and the Language Model Tools alike.
import type { BandsClient } from '../api/bandsClient';
import { bandForWorkflow } from '../domain/bandLookup';
import type { RunEstimate } from '../domain/estimate';
import { EXIT } from '../domain/exitCodes';
import { decimalToMicros } from '../domain/money';
import { agentById, agentOfCommand } from '../domain/runDecisionAgents';
import type { Band, BandsDocument } from '../domain/schemas';
import { BUNDLED_PRICES, Pricing } from '../usage/prices/prices';
import { askPreflight, type Asked } from '../flows/preflight/decision';
import { EstimateProblem, estimateRun, type EstimateRequest } from '../flows/preflight/estimateRun';
import type { FeatureDeps } from './featureDeps';

/** What is about to run. `workflow` defaults to background_automation. */
export interface RunSpec {
  command?: string | undefined;
  args?: readonly string[] | undefined;
  cwd?: string | undefined;
  /** the metered agent (claude_code, codex); guessed from `command` when omitted */
  agent?: string | undefined;
  workflow?: string | undefined;
  estimate?: { usd?: number | string | undefined; tokens?: number | undefined; model?: string | undefined } | undefined;
  description?: string | undefined;
  /** why the task definition could not be used (shown instead of running) */
  problem?: string | undefined;
}

export const DEFAULT_RUN_WORKFLOW = 'background_automation';

/** Something the person can fix (no bands yet, not signed in, unknown model): the message says how. */
export class PreflightProblem extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'PreflightProblem';
  }
}

export interface Decided extends Asked {
  document: BandsDocument;
  band: Band | undefined;
  /** bands older than the last refresh attempt (the source failed): said next to a local decision */
  stale: boolean;
  /** the endpoint client when the endpoint decided; the caller closes it */
  client: BandsClient | undefined;
}

export class PreflightRunner {
  private readonly pricing = new Pricing(BUNDLED_PRICES);

  constructor(private readonly deps: FeatureDeps) {}

  workflowOf(spec: RunSpec): string {
    return spec.workflow?.trim() || DEFAULT_RUN_WORKFLOW;
  }

  async estimate(spec: RunSpec, signal?: AbortSignal): Promise<RunEstimate> {
    const workflow = this.workflowOf(spec);
    try {
      return await estimateRun(this.estimateRequest(spec), {
        workflow,
        document: this.deps.snapshot()?.document,
        now: new Date(),
        signal,
        pricing: () => this.pricing,
        unknownModelAdvice: 'Use a model id such as claude-sonnet-4-5, or give "usd".',
        localEvents: async (fromMs, toMs) => {
          const snapshot = await this.deps.usageSnapshot();
          return snapshot
            ? { events: snapshot.eventsBetween(fromMs, toMs) }
            : { reason: 'local metering is off or has not read the agent logs yet' };
        },
        sessions: this.deps.sessions(),
        historyClient: async () => {
          const snapshot = this.deps.snapshot();
          if (snapshot?.source !== 'endpoint' || snapshot.document?.capabilities.usage_history !== true)
            return undefined;
          const client = await this.deps.client();
          return client ? { client, release: () => client.close() } : undefined;
        },
        warn: (text) => this.deps.log.warn(`Pre-flight: ${text}`),
      });
    } catch (error) {
      if (error instanceof EstimateProblem)
        throw new PreflightProblem(`${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}`);
      throw error;
    }
  }

  /** The task definition's estimate read into a request; what to fix is said in the task's own terms. */
  private estimateRequest(spec: RunSpec): EstimateRequest {
    const given = spec.estimate ?? {};
    if (given.usd !== undefined && given.usd !== '') {
      let micros: number;
      try {
        micros = decimalToMicros(given.usd);
      } catch {
        throw new PreflightProblem(
          `The estimate "${String(given.usd)}" is not an amount in dollars such as 4.50. Fix "estimate": { "usd": … }.`,
        );
      }
      if (micros < 0) throw new PreflightProblem(`The estimate cannot be negative (${String(given.usd)}).`);
      return { kind: 'usd', micros };
    }
    if (given.tokens !== undefined) {
      if (!given.model)
        throw new PreflightProblem(
          'An estimate in tokens needs the model to price them: "estimate": { "tokens": 2000000, "model": "claude-sonnet-4-5" }.',
        );
      if (!Number.isSafeInteger(given.tokens) || given.tokens <= 0)
        throw new PreflightProblem(`"tokens" must be a positive whole number, not ${given.tokens}.`);
      return { kind: 'tokens', tokens: given.tokens, model: given.model };
    }
    const agent =
      (spec.agent ? agentById(spec.agent) : undefined) ?? (spec.command ? agentOfCommand(spec.command) : undefined);
    if (!agent)
      return {
        kind: 'none',
        reason: spec.agent
          ? `${spec.agent} is not a metered agent`
          : 'none was given and the command is not a known agent',
      };
    return { kind: 'history', agent: agent.id };
  }

  /** The bands to decide on: the ones on screen, or a refresh when there are none yet. */
  private async document(): Promise<{ document: BandsDocument; source: string; stale: boolean }> {
    let snapshot = this.deps.snapshot();
    if (!snapshot?.document) {
      await this.deps.refreshBands();
      snapshot = this.deps.snapshot();
    }
    if (!snapshot?.document) {
      const why = snapshot?.error ? ` (${snapshot.error.message})` : '';
      throw new PreflightProblem(
        `No bands to check the run against${why}. Connect an endpoint or use local bands (Spend Band: Connect Endpoint… / Use Local Bands), then run again.`,
        EXIT.unreachable,
      );
    }
    return { document: snapshot.document, source: snapshot.source, stale: snapshot.stale };
  }

  async decide(spec: RunSpec, estimate: RunEstimate, clientRunId: string, signal?: AbortSignal): Promise<Decided> {
    const workflow = this.workflowOf(spec);
    const { document, source, stale } = await this.document();
    let client: BandsClient | undefined;
    if (source === 'endpoint' && document.capabilities.preflight === true) {
      client = await this.deps.client();
      if (!client)
        throw new PreflightProblem(
          'The endpoint decides pre-flights, but no token is stored for it. Run "Spend Band: Connect Endpoint…" and start the run again.',
          EXIT.unauthorized,
        );
    }
    try {
      const description =
        spec.description ?? (spec.command ? [spec.command, ...(spec.args ?? [])].join(' ') : undefined);
      const agent =
        (spec.agent ? agentById(spec.agent) : undefined) ?? (spec.command ? agentOfCommand(spec.command) : undefined);
      const asked = await askPreflight({
        document,
        client,
        workflow,
        estimate: estimate.estimate,
        clientRunId,
        run: { tool: agent?.id ?? 'vscode', ...(description ? { description: description.slice(0, 500) } : {}) },
        now: new Date(),
        signal,
      });
      // a reservation or a new approval request changes what the views show
      if (asked.decidedBy === 'endpoint') void this.deps.refreshBands().catch(() => undefined);
      const band = asked.decision.band_id
        ? document.bands.find((b) => b.id === asked.decision.band_id)
        : bandForWorkflow(document.bands, workflow);
      return { ...asked, document, band, stale: stale && asked.decidedBy === 'local', client };
    } catch (error) {
      await client?.close();
      throw error;
    }
  }

  /** One question and its answer, for checkRun() and the LM tool (closes the client). */
  async check(
    spec: RunSpec,
    clientRunId: string,
    signal?: AbortSignal,
  ): Promise<{ decided: Decided; estimate: RunEstimate }> {
    const estimate = await this.estimate(spec, signal);
    const decided = await this.decide(spec, estimate, clientRunId, signal);
    await decided.client?.close();
    return { decided, estimate };
  }
}

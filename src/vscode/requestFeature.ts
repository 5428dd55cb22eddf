// Request a band increase tied to an outcome: a multi-step input (band, amount, scope, outcome,
// justification, summary) with Back and validation on every step, then submission through the
// requests service (endpoint) or the local ledger (local mode, a self-set increase).
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { bandLabel, formatMicros } from '../domain/format';
import { gaugeFor } from '../domain/gauge';
import {
  OUTCOME_CHOICES,
  deltaOf,
  effectiveWindow,
  parseAmount,
  suggestedDeltaMicros,
  summaryLines,
  toIncreaseRequest,
  validateJustification,
  validateNumber,
  validateUntilDate,
  type IncreaseDraft,
} from '../domain/increaseRequest';
import { microsToDecimalString } from '../domain/money';
import type { Band, Outcome, RequestScope } from '../domain/schemas';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';
import { MultiStepInput, type Step } from './multiStepInput';
import type { RequestsService } from './requestsService';
import { showErrorMessage, showInformationMessage, showWarningMessage } from './notify';

const TITLE = 'Spend Band: Request Band Increase';
const TOTAL = 7;

interface Args {
  bandId?: string;
  band?: { id: string };
}

type Item<T> = vscode.QuickPickItem & { value: T };

function bandIdOf(args: unknown): string | undefined {
  if (typeof args === 'string') return args;
  const a = args as Args | undefined;
  return a?.bandId ?? a?.band?.id;
}

/** Runs the flow; resolves with true when a request was filed or recorded. */
export async function requestIncreaseFlow(
  deps: FeatureDeps,
  requests: RequestsService,
  preselect?: string,
): Promise<boolean> {
  const snapshot = deps.snapshot();
  const doc = snapshot?.document;
  const local = snapshot?.source === 'local';
  if (!doc || doc.bands.length === 0) {
    void showWarningMessage('Spend Band: no bands are loaded yet. Connect an endpoint or set up local bands first.');
    return false;
  }
  if (!local && !doc.capabilities.increase_requests) {
    void showWarningMessage(
      `Spend Band: ${snapshot?.source ?? 'this source'} does not take increase requests; ask your budget admin directly.`,
    );
    return false;
  }
  const now = new Date();
  const classes = deps.classes();
  const state: Partial<Omit<IncreaseDraft, 'outcome'>> & { outcome: Partial<Outcome> } = { outcome: {} };
  state.band = doc.bands.find((b) => b.id === preselect);

  const pickBand: Step = async (input) => {
    const items: Item<Band>[] = doc.bands.map((band) => {
      const g = gaugeFor(band, now);
      return {
        value: band,
        label: bandLabel(band, classes),
        description: `${formatMicros(g.usedMicros, g.currency)} of ${formatMicros(g.allocatedMicros, g.currency)} · ${band.status}`,
        detail: g.forecastCrosses ? `forecast ${formatMicros(g.forecastMicros, g.currency)} by period end` : undefined,
      };
    });
    const chosen = await input.pick({
      title: TITLE,
      step: 1,
      totalSteps: TOTAL,
      items,
      activeItem: items.find((i) => i.value.id === state.band?.id),
      placeholder: 'Which band?',
    });
    if (chosen.value.id !== state.band?.id) state.amountMicros = undefined;
    state.band = chosen.value;
    return pickMode;
  };

  const pickMode: Step = async (input) => {
    const band = state.band!;
    const suggestion = suggestedDeltaMicros(band, now);
    const c = band.allocated.currency;
    const items: Item<IncreaseDraft['mode']>[] = [
      {
        value: 'delta',
        label: `Increase by ${formatMicros(suggestion, c, 'exact')}`,
        description: 'a delta on top of the allocation',
        detail: 'Suggested: the forecast overage for this period, rounded up.',
      },
      {
        value: 'new_allocated',
        label: `Set the allocation to ${formatMicros(band.allocated.amount_micros + suggestion, c, 'exact')}`,
        description: 'a new allocation',
      },
    ];
    const chosen = await input.pick({
      title: TITLE,
      step: 2,
      totalSteps: TOTAL,
      items,
      activeItem: items.find((i) => i.value === state.mode),
      placeholder: 'As a delta or as a new allocation?',
    });
    if (chosen.value !== state.mode) state.amountMicros = undefined;
    state.mode = chosen.value;
    state.amountMicros ??= chosen.value === 'delta' ? suggestion : band.allocated.amount_micros + suggestion;
    return enterAmount;
  };

  const enterAmount: Step = async (input) => {
    const band = state.band!;
    const text = await input.text({
      title: TITLE,
      step: 3,
      totalSteps: TOTAL,
      value: microsToDecimalString(state.amountMicros ?? 0),
      prompt:
        state.mode === 'delta'
          ? `How much more, in ${band.allocated.currency}?`
          : `The new allocation, in ${band.allocated.currency} (now ${formatMicros(band.allocated.amount_micros, band.allocated.currency, 'exact')})`,
      validate: (v) => {
        const parsed = parseAmount(v);
        if ('error' in parsed) return parsed.error;
        if (state.mode === 'new_allocated' && parsed.micros <= band.allocated.amount_micros)
          return 'A new allocation must be above the current one';
        return undefined;
      },
    });
    state.amountMicros = (parseAmount(text) as { micros: number }).micros;
    return pickScope;
  };

  const pickScope: Step = async (input) => {
    const band = state.band!;
    const items: Item<RequestScope>[] = [
      { value: 'current_period', label: 'This period', description: `until ${band.period.end.slice(0, 10)}` },
      { value: 'next_period', label: 'Next period', description: 'plan ahead for a known peak' },
      { value: 'until_date', label: 'Until a date…', description: 'for a project with an end' },
    ];
    const chosen = await input.pick({
      title: TITLE,
      step: 4,
      totalSteps: TOTAL,
      items,
      activeItem: items.find((i) => i.value === state.scope),
      placeholder: 'For how long?',
    });
    state.scope = chosen.value;
    if (chosen.value !== 'until_date') return pickOutcome;
    return async (inner: MultiStepInput) => {
      state.until = (
        await inner.text({
          title: TITLE,
          step: 4,
          totalSteps: TOTAL,
          value: state.until ?? '',
          prompt: 'Until which date? (YYYY-MM-DD)',
          validate: (v) => validateUntilDate(v, now),
        })
      ).trim();
      return pickOutcome;
    };
  };

  const pickOutcome: Step = async (input) => {
    const items: Item<string>[] = [
      ...OUTCOME_CHOICES.map((o) => ({ value: o.kind as string, label: o.label, description: `e.g. ${o.example}` })),
      { value: 'other', label: 'Other outcome…' },
    ];
    const chosen = await input.pick({
      title: TITLE,
      step: 5,
      totalSteps: TOTAL,
      items,
      activeItem: items.find((i) => i.value === state.outcome.kind),
      placeholder: 'What outcome does the increase buy?',
    });
    if (chosen.value !== 'other') {
      state.outcome.kind = chosen.value;
      return enterMetric;
    }
    return async (inner: MultiStepInput) => {
      state.outcome.kind = (
        await inner.text({
          title: TITLE,
          step: 5,
          totalSteps: TOTAL,
          value:
            state.outcome.kind && !OUTCOME_CHOICES.some((o) => o.kind === state.outcome.kind) ? state.outcome.kind : '',
          prompt: 'Name the outcome (a short identifier such as onboarding_speed)',
          validate: (v) =>
            /^[a-z][a-z0-9_]{2,60}$/.test(v.trim())
              ? undefined
              : 'Use lower-case letters, digits and _ (3–60 characters)',
        })
      ).trim();
      return enterMetric;
    };
  };

  const enterMetric: Step = async (input) => {
    const example = OUTCOME_CHOICES.find((o) => o.kind === state.outcome.kind)?.example ?? 'a number you can measure';
    const metric = (
      await input.text({
        title: TITLE,
        step: 6,
        totalSteps: TOTAL,
        value: state.outcome.metric ?? '',
        prompt: `Metric to check it by (optional), e.g. ${example}. Leave empty to skip.`,
        validate: (v) => (v.length > 200 ? 'At most 200 characters' : undefined),
      })
    ).trim();
    if (!metric) {
      state.outcome = { kind: state.outcome.kind! };
      return enterJustification;
    }
    state.outcome.metric = metric;
    return async (inner: MultiStepInput) => {
      const answer = await inner.text({
        title: TITLE,
        step: 6,
        totalSteps: TOTAL,
        value: [state.outcome.baseline, state.outcome.target, state.outcome.review_at]
          .map((v) => (v === undefined ? '' : String(v)))
          .join('; ')
          .replace(/^; ; $/, ''),
        prompt: 'Baseline; target; review date (YYYY-MM-DD) — each optional, e.g. "30; 12; 2027-01-15"',
        validate: (v) => {
          const [baseline = '', target = '', review = ''] = v.split(';').map((p) => p.trim());
          return (
            validateNumber(baseline) ?? validateNumber(target) ?? (review ? validateUntilDate(review, now) : undefined)
          );
        },
      });
      const [baseline = '', target = '', review = ''] = answer.split(';').map((p) => p.trim());
      state.outcome = {
        kind: state.outcome.kind!,
        metric,
        ...(baseline ? { baseline: Number(baseline) } : {}),
        ...(target ? { target: Number(target) } : {}),
        ...(review ? { review_at: review } : {}),
      };
      return enterJustification;
    };
  };

  const enterJustification: Step = async (input) => {
    state.justification = (
      await input.text({
        title: TITLE,
        step: 7,
        totalSteps: TOTAL,
        value: state.justification ?? '',
        prompt: 'Why, in a sentence or two a lead can defend: what work, what it saves or speeds up.',
        validate: validateJustification,
      })
    ).trim();
    return confirm;
  };

  let confirmed = false;
  const confirm: Step = async (input) => {
    const draft = state as unknown as IncreaseDraft;
    const lines = summaryLines(draft);
    // One row per part of the summary (a single joined line was cut off at the widget's width); the
    // outcome and the justification rows lead back to their step.
    const items: Item<'submit' | 'cancel' | 'outcome' | 'justification'>[] = [
      {
        value: 'submit',
        label: local ? '$(check) Record the self-set increase' : '$(cloud-upload) Submit the request',
        detail: lines[0],
      },
      { value: 'outcome', label: `$(target) ${lines[1]}`, detail: 'Change the outcome' },
      { value: 'justification', label: `$(quote) ${lines[2]}`, detail: 'Change the justification' },
      { value: 'cancel', label: '$(close) Cancel' },
    ];
    const chosen = await input.pick({
      title: `${TITLE} — confirm`,
      step: TOTAL,
      totalSteps: TOTAL,
      items,
      placeholder: lines[0],
    });
    if (chosen.value === 'outcome') return pickOutcome;
    if (chosen.value === 'justification') return enterJustification;
    confirmed = chosen.value === 'submit';
    return undefined;
  };

  const finished = await MultiStepInput.run(pickBand);
  if (!finished || !confirmed) return false;
  const draft = state as unknown as IncreaseDraft;
  const body = toIncreaseRequest(draft);
  if (local) {
    const window = effectiveWindow(draft.scope, draft.band, draft.until, now);
    const delta = deltaOf(body, draft.band);
    const id = `local-${randomUUID()}`;
    await requests.recordLocal({
      id,
      kind: 'band_increase',
      status: 'approved',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      band_id: draft.band.id,
      requested: body.requested as Record<string, unknown>,
      outcome: body.outcome as Record<string, unknown>,
      justification: body.justification,
      scope: body.scope,
      until: window.until,
      resolution: {
        decided_by: { id: 'self', display_name: 'you (self-set, local)' },
        decided_at: now.toISOString(),
        approved: { currency: draft.band.allocated.currency, amount_micros: delta },
        effective_until: window.until,
        note: 'Self-set increase in local mode: nobody approved it.',
      },
      self_set: true,
      effective_from: window.from,
      workflow: draft.band.workflow,
      delta_micros: delta,
    });
    void showInformationMessage(
      `Spend Band: self-set increase of ${formatMicros(delta, draft.band.allocated.currency, 'exact')} recorded for ${bandLabel(draft.band, classes)} (local ledger; nobody approved it).`,
    );
    await deps.refreshBands();
    return true;
  }
  try {
    const created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Spend Band: sending the request…' },
      () => requests.submit(body),
    );
    if (created)
      void showInformationMessage(
        `Spend Band: request ${created.id} filed (${created.status}). You will be notified when it is decided.`,
        'Open View',
      ).then((c) => c && vscode.commands.executeCommand('spendBand.openView'));
    else
      void showWarningMessage(
        'Spend Band: the endpoint cannot be reached now; your request is saved and will be sent automatically.',
      );
    return true;
  } catch (error) {
    void showErrorMessage(`Spend Band: the request was refused: ${(error as Error).message}`);
    return false;
  }
}

export function registerRequests(deps: FeatureDeps, requests: RequestsService): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.requestIncrease, (args?: unknown) =>
      requestIncreaseFlow(deps, requests, bandIdOf(args)),
    ),
    vscode.commands.registerCommand(COMMANDS.cancelRequest, async (args?: unknown) => {
      const id = typeof args === 'string' ? args : (args as { request?: { id: string } } | undefined)?.request?.id;
      const pending = requests.requests.filter((r) => r.status === 'pending');
      const target =
        id ??
        (
          await vscode.window.showQuickPick(
            pending.map((r) => ({ label: r.id, description: `${r.kind} · ${r.band_id ?? ''}`, id: r.id })),
            {
              title: 'Spend Band: Cancel Request',
              placeHolder: pending.length > 0 ? 'Which pending request?' : 'No pending requests',
            },
          )
        )?.id;
      if (!target) return;
      try {
        await requests.cancel(target);
        void showInformationMessage(`Spend Band: request ${target} cancelled.`);
      } catch (error) {
        void showErrorMessage(`Spend Band: could not cancel ${target}: ${(error as Error).message}`);
      }
    }),
  );
}

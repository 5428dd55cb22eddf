// What the two status-bar items show, as plain data computed from a snapshot: the host layer only
// copies it onto StatusBarItems. The tooltip is Markdown with command links.
import { bandForWorkflow } from './bandLookup';
import {
  bandLabel,
  bandRows,
  dateTimeText,
  formatMicros,
  gaugeAccessibilityLabel,
  gaugeText,
  type GaugeTextOptions,
  statusWord,
  wholeBillText,
} from './format';
import { gaugeFor, wholeBill } from './gauge';
import type { BandsDocument, BandStatus } from './schemas';
import { workflowClassFor, type WorkflowClass } from './workflowClasses';
import { markdownText } from './untrustedText';
import { bandProvenance, provenanceText } from './provenance';

export interface SnapshotView {
  source: string;
  document: BandsDocument | undefined;
  stale: boolean;
  fetchedAt: string | undefined;
  error: { kind: string; message: string } | undefined;
}

export interface ItemModel {
  text: string;
  tooltip: string;
  accessibilityLabel: string;
  command: string;
  /** the status-bar background: warning for warn, error for critical/exceeded */
  background: 'warning' | 'error' | undefined;
}

export interface StatusBarModel {
  workflow: ItemModel;
  gauge: ItemModel;
}

export const LINKS = {
  switchClass: 'command:spendBand.setWorkflow',
  refresh: 'command:spendBand.refresh',
  requestIncrease: 'command:spendBand.requestIncrease',
  openView: 'command:spendBand.openView',
  connect: 'command:spendBand.connectEndpoint',
  useLocal: 'command:spendBand.useLocalBands',
  showLog: 'command:spendBand.showLog',
  openReport: 'command:spendBand.openReport',
} as const;

/**
 * The only commands the gauge tooltip may run (its MarkdownString's enabledCommands): the ones it
 * links, each opened without arguments. Commands that act on arguments (runWithPreflight,
 * cancelRequest, …) are not enabled, so even a link smuggled into the tooltip could not run them
 * (issue #20 finding 2).
 */
export const TOOLTIP_COMMANDS: readonly string[] = Object.values(LINKS).map((link) => link.slice('command:'.length));

function backgroundFor(status: BandStatus | string): ItemModel['background'] {
  if (status === 'warn') return 'warning';
  if (status === 'critical' || status === 'exceeded') return 'error';
  return undefined;
}

const STATUS_ICON: Record<string, string> = {
  ok: '$(pass)',
  warn: '$(warning)',
  critical: '$(error)',
  exceeded: '$(error)',
};

/** Endpoint text in the gauge tooltip: the shared Markdown sink (domain/untrustedText.ts). */
function escapeMd(text: string): string {
  return markdownText(text, 1000);
}

export function freshnessText(view: SnapshotView, now: Date): string {
  const source = view.source === 'local' ? 'local bands (settings)' : view.source;
  if (!view.fetchedAt) return `Source: ${source}`;
  const at = new Date(view.fetchedAt);
  if (view.stale)
    return `Source: ${source} — **stale since ${dateTimeText(at)}**${view.error ? `: ${escapeMd(view.error.message)}` : ''}`;
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000));
  return `Source: ${source} — updated ${minutes === 0 ? 'just now' : `${minutes} min ago`}`;
}

export function statusBarModel(
  view: SnapshotView | undefined,
  workflowId: string,
  classes: readonly WorkflowClass[],
  options: GaugeTextOptions & { loading: boolean },
  now: Date,
): StatusBarModel {
  const cls = workflowClassFor(workflowId, classes);
  const doc = view?.document;
  const classBand = doc ? bandForWorkflow(doc.bands, workflowId) : undefined;
  const leftText = classBand
    ? ` — ${formatMicros(gaugeFor(classBand, now).remainingMicros, classBand.remaining.currency)} left in its band`
    : '';
  const workflow: ItemModel = {
    text: `$(${cls.icon}) ${cls.label}`,
    tooltip: `**Workflow class: ${escapeMd(cls.label)}**${escapeMd(leftText)}\n\nUsage in this session counts against this class's band. [Switch class](${LINKS.switchClass})`,
    accessibilityLabel: `Workflow class ${cls.label}. Activate to switch class.`,
    command: 'spendBand.setWorkflow',
    background: undefined,
  };

  if (!view || (view.source === 'none' && !doc)) {
    const loading = options.loading || !view;
    return {
      workflow,
      gauge: {
        text: loading ? '$(sync~spin) Spend Band' : '$(pulse) Spend Band: set up',
        tooltip: loading
          ? 'Loading your bands…'
          : `**Spend Band is not set up.**\n\n[Connect an endpoint](${LINKS.connect}) or [use local bands](${LINKS.useLocal}).`,
        accessibilityLabel: loading ? 'Spend Band loading' : 'Spend Band not set up. Activate to open the view.',
        command: 'spendBand.openView',
        background: undefined,
      },
    };
  }

  if (!doc) {
    const unauthorized = view.error?.kind === 'unauthorized' || view.error?.kind === 'forbidden';
    const message = view.error?.message ?? 'No bands yet.';
    return {
      workflow,
      gauge: {
        text: `$(error) Spend Band`,
        tooltip:
          `**Spend Band could not load your bands.**\n\n${escapeMd(message)}\n\n` +
          (unauthorized ? `[Connect endpoint](${LINKS.connect}) · ` : '') +
          `[Retry](${LINKS.refresh}) · [Show log](${LINKS.showLog})`,
        accessibilityLabel: `Spend Band could not load your bands: ${message}`,
        command: unauthorized ? 'spendBand.connectEndpoint' : 'spendBand.refresh',
        background: 'error',
      },
    };
  }

  const tooltip = tooltipMarkdown(view, doc, workflowId, classes, now);
  const staleMark = view.stale ? ' $(cloud-offline)' : '';
  if (!classBand) {
    return {
      workflow,
      gauge: {
        text: `$(circle-slash) no band${staleMark}`,
        tooltip,
        accessibilityLabel: `No band for ${cls.label}. Activate to open the Spend Band view.`,
        command: 'spendBand.openView',
        background: undefined,
      },
    };
  }
  const gauge = gaugeFor(classBand, now);
  return {
    workflow,
    gauge: {
      text: `${gaugeText(gauge, options)}${staleMark}`,
      tooltip,
      accessibilityLabel: gaugeAccessibilityLabel(classBand, gauge, classes) + (view.stale ? ', data is stale' : ''),
      command: 'spendBand.openView',
      background: backgroundFor(classBand.status),
    },
  };
}

function tooltipMarkdown(
  view: SnapshotView,
  doc: BandsDocument,
  workflowId: string,
  classes: readonly WorkflowClass[],
  now: Date,
): string {
  const lines: string[] = [];
  const current = bandForWorkflow(doc.bands, workflowId);
  lines.push(
    `**Spend Band** — ${escapeMd(doc.developer.display_name ?? doc.developer.id)}, ${escapeMd(doc.role.label ?? doc.role.id)}`,
  );
  lines.push('');
  const currency = doc.bands[0]?.allocated.currency ?? doc.seats[0]?.cost.currency ?? 'USD';
  lines.push(`$(credit-card) ${escapeMd(wholeBillText(wholeBill(doc.seats, doc.bands, currency)))}`);
  lines.push('');
  lines.push('| Band | Used | Forecast | Resets |');
  lines.push('|:--|--:|--:|--:|');
  for (const band of doc.bands) {
    const g = gaugeFor(band, now);
    const here = band === current ? ' ◀' : '';
    const label = `${STATUS_ICON[band.status] ?? '$(circle-outline)'} ${escapeMd(bandLabel(band, classes))}${here}`;
    const used = `${formatMicros(g.usedMicros, g.currency)} / ${formatMicros(g.allocatedMicros, g.currency)} (${Math.floor(g.percentUsed)}%)`;
    const forecast = `${escapeMd(formatMicros(g.forecastMicros, g.currency))}${g.forecastCrosses ? ' $(arrow-up)' : ''}`;
    lines.push(`| ${label} | ${escapeMd(used)} | ${forecast} | ${g.resets ? `${g.daysLeft}d` : 'never'} |`);
  }
  if (current) {
    lines.push('');
    lines.push(
      `**${escapeMd(bandLabel(current, classes))}** is ${statusWord(current.status, gaugeFor(current, now))}.`,
    );
    for (const row of bandRows(current, gaugeFor(current, now))) lines.push(`- ${row.label}: ${escapeMd(row.value)}`);
    lines.push(`- Figures: ${escapeMd(provenanceText(bandProvenance(current)))}`);
  }
  lines.push('');
  lines.push(freshnessText(view, now));
  lines.push('');
  const links = [`[$(symbol-enum) Switch class](${LINKS.switchClass})`, `[$(refresh) Refresh](${LINKS.refresh})`];
  if (doc.capabilities.increase_requests || view.source === 'local')
    links.push(`[$(arrow-circle-up) Request increase](${LINKS.requestIncrease})`);
  links.push(`[$(list-tree) Open view](${LINKS.openView})`);
  lines.push(links.join(' · '));
  return lines.join('\n');
}

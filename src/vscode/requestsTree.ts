// The Requests view: pending and recent band-increase and run-approval requests with their status.
import * as vscode from 'vscode';
import { dateTimeText, formatMicros } from '../domain/format';
import type { Request } from '../domain/schemas';
import { markdownText, plainText } from '../domain/untrustedText';

export interface RequestsSource {
  readonly requests: readonly Request[];
  /** requests recorded but not yet sent (offline) */
  readonly unsent: readonly { key: string; bandId: string; summary: string }[];
  readonly onDidChange: vscode.Event<void>;
  bandName(id: string): string;
}

type Node = { kind: 'request'; request: Request } | { kind: 'unsent'; key: string; bandId: string; summary: string };

const STATUS_ICONS: Record<string, [string, string]> = {
  pending: ['clock', 'charts.yellow'],
  approved: ['pass', 'charts.green'],
  denied: ['circle-slash', 'charts.red'],
  cancelled: ['close', 'disabledForeground'],
  expired: ['history', 'disabledForeground'],
};

export function requestAmountText(request: Request): string {
  const requested = request.requested as
    | {
        new_allocated?: { currency: string; amount_micros: number };
        delta?: { currency: string; amount_micros: number };
      }
    | undefined;
  if (requested?.delta) return `+${formatMicros(requested.delta.amount_micros, requested.delta.currency, 'exact')}`;
  if (requested?.new_allocated)
    return `→ ${formatMicros(requested.new_allocated.amount_micros, requested.new_allocated.currency, 'exact')}`;
  const estimate = request.preflight?.estimate.cost;
  if (estimate) return `run ~${formatMicros(estimate.amount_micros, estimate.currency, 'exact')}`;
  return '';
}

export function requestTitle(request: Request, bandName: (id: string) => string = (id) => id): string {
  const what =
    request.kind === 'run_approval' ? 'Run approval' : request.kind === 'band_increase' ? 'Increase' : request.kind;
  const band = request.band_id ? bandName(request.band_id) : (request.preflight?.workflow ?? '');
  return `${what} ${requestAmountText(request)}${band ? ` · ${band}` : ''}`.replace(/\s+/g, ' ').trim();
}

export class RequestsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<Node>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: RequestsSource) {
    this.view = vscode.window.createTreeView('spendBand.requests', { treeDataProvider: this });
    this.subscription = source.onDidChange(() => {
      const pending = source.requests.filter((r) => r.status === 'pending').length + source.unsent.length;
      this.view.badge = pending > 0 ? { value: pending, tooltip: `${pending} pending request(s)` } : undefined;
      this.emitter.fire(undefined);
    });
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    const unsent: Node[] = this.source.unsent.map((u) => ({ kind: 'unsent', ...u }));
    const order = (r: Request) => (r.status === 'pending' ? 0 : 1);
    const requests = [...this.source.requests].sort(
      (a, b) => order(a) - order(b) || Date.parse(b.updated_at) - Date.parse(a.updated_at),
    );
    return [...unsent, ...requests.slice(0, 30).map((request): Node => ({ kind: 'request', request }))];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'unsent') {
      const item = new vscode.TreeItem(node.summary);
      item.id = `request:unsent:${node.key}`;
      item.description = 'not sent yet — will retry';
      item.iconPath = new vscode.ThemeIcon('cloud-upload');
      item.contextValue = 'request:unsent';
      return item;
    }
    const r = node.request;
    const title = requestTitle(r, (id) => this.source.bandName(id));
    const item = new vscode.TreeItem(plainText(title, 200));
    item.id = `request:${r.id}`;
    const note = r.resolution?.note ? ` — “${plainText(r.resolution.note, 200)}”` : '';
    const selfSet = (r as { self_set?: boolean }).self_set ? ' (self-set, local)' : '';
    item.description = `${r.status}${selfSet} · ${dateTimeText(new Date(r.updated_at))}${note}`;
    const [icon, color] = STATUS_ICONS[r.status] ?? ['circle-outline', 'foreground'];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    const outcome = r.outcome as { kind?: string; metric?: string } | undefined;
    // Everything the endpoint wrote is escaped (#20 finding 3): no link, image or HTML in our tooltip.
    const lines = [
      `**${markdownText(title, 200)}** — ${markdownText(r.status)}`,
      r.justification ? `\n${markdownText(r.justification, 2000)}` : '',
      outcome?.kind
        ? `\nOutcome: ${markdownText(outcome.kind.replace(/_/g, ' '))}${outcome.metric ? ` (${markdownText(outcome.metric)})` : ''}`
        : '',
      r.resolution?.note
        ? `\nNote from ${markdownText(r.resolution.decided_by?.display_name ?? r.resolution.decided_by?.id ?? 'the approver', 100)}: ${markdownText(r.resolution.note, 1000)}`
        : '',
      r.resolution?.effective_until ? `\nEffective until ${dateTimeText(new Date(r.resolution.effective_until))}` : '',
    ];
    item.tooltip = new vscode.MarkdownString(lines.filter(Boolean).join('\n'));
    item.contextValue = `request:${r.status}:${r.kind}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.view.dispose();
    this.emitter.dispose();
  }
}

// The Bands view: the whole bill, the seats, then each band with its figures, escalation rules and any
// temporary increase. Stable ids, status-coloured icons, composite contextValues for menus.
import * as vscode from 'vscode';
import { bandLabel, bandRows, formatMicros, percentText, shortDate, statusWord, timeLeftText } from '../domain/format';
import { gaugeFor, monthlySeatMicros, wholeBill } from '../domain/gauge';
import { describeRule } from '../domain/preflightVerdict';
import type { UnbudgetedSpend } from '../api/unbudgetedSpend';
import type { Band, BandsDocument, EscalationRule, SeatItem } from '../domain/schemas';
import type { WorkflowClass } from '../domain/workflowClasses';
import { markdownText, plainText } from '../domain/untrustedText';
import type { BandsService } from './bandsService';

type Node =
  | { kind: 'bill'; doc: BandsDocument }
  | { kind: 'seats'; doc: BandsDocument }
  | { kind: 'seat'; seat: SeatItem }
  | { kind: 'band'; band: Band; doc: BandsDocument }
  | { kind: 'row'; band: Band; label: string; value: string }
  | { kind: 'rule'; band: Band; rule: EscalationRule }
  | { kind: 'increase'; band: Band }
  | { kind: 'unbudgeted'; spend: UnbudgetedSpend };

const STATUS_ICONS: Record<string, [string, string]> = {
  ok: ['pass', 'charts.green'],
  warn: ['warning', 'charts.yellow'],
  critical: ['error', 'charts.orange'],
  exceeded: ['error', 'charts.red'],
};

export class BandsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<Node>;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly service: BandsService,
    private readonly classes: () => readonly WorkflowClass[],
    private readonly currentWorkflow: () => string,
  ) {
    this.view = vscode.window.createTreeView('spendBand.bands', { treeDataProvider: this, showCollapseAll: true });
    this.subscription = service.onDidChange(() => this.refresh());
  }

  refresh(): void {
    const snapshot = this.service.snapshot;
    if (snapshot?.stale && snapshot.fetchedAt) {
      this.view.message = `Stale since ${shortDate(new Date(snapshot.fetchedAt))} ${new Date(snapshot.fetchedAt).toLocaleTimeString()}: ${snapshot.error?.message ?? 'refresh failed'}`;
    } else if (snapshot?.error && !snapshot.document) {
      this.view.message = snapshot.error.message;
    } else {
      this.view.message = undefined;
    }
    const doc = snapshot?.document;
    const attention = doc?.bands.filter((b) => b.status !== 'ok').length ?? 0;
    this.view.badge = attention > 0 ? { value: attention, tooltip: `${attention} band(s) need attention` } : undefined;
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const doc = this.service.snapshot?.document;
    if (!doc) return [];
    if (!node) {
      const top: Node[] = [{ kind: 'bill', doc }];
      if (doc.seats.length > 0) top.push({ kind: 'seats', doc });
      for (const band of doc.bands) top.push({ kind: 'band', band, doc });
      for (const spend of this.service.snapshot?.unbudgeted ?? []) top.push({ kind: 'unbudgeted', spend });
      return top;
    }
    switch (node.kind) {
      case 'seats':
        return node.doc.seats.map((seat) => ({ kind: 'seat', seat }));
      case 'band': {
        const rows: Node[] = bandRows(node.band, gaugeFor(node.band, new Date()))
          .filter((r) => r.label !== 'Temporary increase' && r.label !== 'Self-set increase')
          .map((r) => ({ kind: 'row', band: node.band, label: r.label, value: r.value }));
        if (node.band.temporary_increase) rows.push({ kind: 'increase', band: node.band });
        for (const rule of node.doc.escalation.rules) {
          if (!rule.applies_to || rule.applies_to.length === 0 || rule.applies_to.includes(node.band.workflow))
            rows.push({ kind: 'rule', band: node.band, rule });
        }
        return rows;
      }
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const classes = this.classes();
    switch (node.kind) {
      case 'bill': {
        const currency = node.doc.bands[0]?.allocated.currency ?? node.doc.seats[0]?.cost.currency ?? 'USD';
        const bill = wholeBill(node.doc.seats, node.doc.bands, currency);
        const item = new vscode.TreeItem(`Whole bill ${formatMicros(bill.totalMicros, currency, 'exact')}`);
        item.id = 'bill';
        item.description = `seats ${formatMicros(bill.seatsMicros, currency)} + usage ${formatMicros(bill.usageMicros, currency)} of ${formatMicros(bill.plannedMicros, currency)} planned`;
        item.iconPath = new vscode.ThemeIcon('credit-card');
        item.tooltip = 'Seats are the fixed baseline for your role; usage is what your bands have spent this period.';
        item.contextValue = 'bill';
        return item;
      }
      case 'seats': {
        const currency = node.doc.seats[0]?.cost.currency ?? 'USD';
        const total = node.doc.seats.reduce((acc, s) => acc + monthlySeatMicros(s), 0);
        const item = new vscode.TreeItem('Seats', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'seats';
        item.description = `${formatMicros(total, currency, 'exact')} / month`;
        item.iconPath = new vscode.ThemeIcon('account');
        item.contextValue = 'seats';
        return item;
      }
      case 'seat': {
        const item = new vscode.TreeItem(`${node.seat.vendor} ${node.seat.product.replace(/_/g, ' ')}`);
        item.id = `seat:${node.seat.id}`;
        item.description = `${formatMicros(monthlySeatMicros(node.seat), node.seat.cost.currency, 'exact')} / month${node.seat.plan ? ` · ${node.seat.plan}` : ''}`;
        const quotas = (node.seat.included_quotas ?? []).map(
          (q) => `${q.used ?? '?'} of ${q.quantity < 0 ? 'unlimited' : q.quantity} ${q.unit.replace(/_/g, ' ')}s`,
        );
        item.tooltip = quotas.length > 0 ? `Included: ${quotas.join(', ')}` : undefined;
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'seat';
        return item;
      }
      case 'band': {
        const g = gaugeFor(node.band, new Date());
        const current = node.band.workflow === this.currentWorkflow();
        const item = new vscode.TreeItem(
          plainText(bandLabel(node.band, classes), 200),
          current ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = `band:${node.band.id}`;
        item.description = `${formatMicros(g.usedMicros, g.currency)} / ${formatMicros(g.allocatedMicros, g.currency)} · ${percentText(g.percentUsed)} · ${g.resets ? `${timeLeftText(g.msLeft)} left` : 'no reset'}${g.forecastCrosses ? ' · forecast over' : ''}`;
        const [icon, color] = STATUS_ICONS[node.band.status] ?? ['circle-outline', 'foreground'];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        // The band's label, class and row values come from the endpoint: escaped (#20 finding 3).
        const tooltip = new vscode.MarkdownString(
          `**${markdownText(bandLabel(node.band, classes), 200)}** (${markdownText(node.band.workflow, 100)}) is ${markdownText(statusWord(node.band.status, g))}\n\n` +
            bandRows(node.band, g)
              .map((r) => `- ${markdownText(r.label)}: ${markdownText(r.value)}`)
              .join('\n'),
        );
        item.tooltip = tooltip;
        const requestable =
          this.service.snapshot?.document?.capabilities.increase_requests || this.service.snapshot?.source === 'local'
            ? ':requestable'
            : '';
        item.contextValue = `band:${node.band.status}${requestable}`;
        item.accessibilityInformation = {
          label: `${bandLabel(node.band, classes)} band, ${statusWord(node.band.status, g)}, ${Math.floor(g.percentUsed)} percent used`,
        };
        return item;
      }
      case 'row': {
        const item = new vscode.TreeItem(`${node.label}: ${node.value}`);
        item.id = `band:${node.band.id}:row:${node.label}`;
        item.contextValue = 'bandRow';
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(`Rule ${node.rule.id}: ${node.rule.action.replace('_', ' ')}`);
        item.id = `band:${node.band.id}:rule:${node.rule.id}`;
        item.description = node.rule.message ?? '';
        item.tooltip = describeRule(
          node.rule,
          node.rule.when?.estimate_at_least ?? { currency: 'USD', amount_micros: 0 },
          node.band,
        ).replace(/the estimate \S+ is at least/, 'the estimate is at least');
        item.iconPath = new vscode.ThemeIcon(
          node.rule.action === 'deny' ? 'circle-slash' : node.rule.action === 'needs_approval' ? 'shield' : 'bell',
        );
        item.contextValue = 'rule';
        return item;
      }
      case 'unbudgeted': {
        const item = new vscode.TreeItem(node.spend.label);
        item.id = `unbudgeted:${node.spend.id}`;
        item.description = `${formatMicros(node.spend.used.amount_micros, node.spend.used.currency, 'exact')} spent${node.spend.period ? ' this period' : ' in all'} · no limit set`;
        item.tooltip =
          'The source reports spend on this layer but no budget for it, so there is no band to measure it against.';
        item.iconPath = new vscode.ThemeIcon('circle-large-outline');
        item.contextValue = 'unbudgeted';
        return item;
      }
      case 'increase': {
        const inc = node.band.temporary_increase!;
        const label = inc.self_set ? 'Self-set increase (local, not approved by anyone)' : 'Temporary increase';
        const item = new vscode.TreeItem(
          `${label}: +${formatMicros(inc.amount.amount_micros, inc.amount.currency, 'exact')}`,
        );
        item.id = `band:${node.band.id}:increase`;
        item.description = `until ${shortDate(new Date(inc.until), node.band.period.timezone)}`;
        item.iconPath = new vscode.ThemeIcon(inc.self_set ? 'person' : 'arrow-circle-up');
        item.contextValue = inc.self_set ? 'increase:self' : 'increase';
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.view.dispose();
    this.emitter.dispose();
  }
}

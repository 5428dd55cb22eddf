// The two status-bar items: the workflow class and the gauge of its band. One render function copies
// the pure model (domain/statusBarModel.ts) onto the items.
import * as vscode from 'vscode';
import { statusBarModel, TOOLTIP_COMMANDS, type ItemModel } from '../domain/statusBarModel';
import type { WorkflowClass } from '../domain/workflowClasses';
import type { BandsSnapshot } from './bandsService';

export interface StatusBarInputs {
  snapshot: BandsSnapshot | undefined;
  loading: boolean;
  workflow: string;
  classes: readonly WorkflowClass[];
  mode: 'compact' | 'full';
  display: 'money' | 'percent';
  /** the agent's own figures (domain/officialFigures.ts), shown under the gauge's tooltip */
  official?: string | undefined;
}

const TRUSTED_COMMANDS = [...TOOLTIP_COMMANDS];

export class StatusBar implements vscode.Disposable {
  private readonly workflowItem: vscode.StatusBarItem;
  private readonly gaugeItem: vscode.StatusBarItem;
  /** the last rendered text, for the exported test API */
  lastGaugeText = '';
  lastGaugeBackground: ItemModel['background'];
  lastGaugeTooltip = '';

  constructor() {
    this.workflowItem = vscode.window.createStatusBarItem('spendBand.workflow', vscode.StatusBarAlignment.Right, 101);
    this.workflowItem.name = 'Spend Band: Workflow Class';
    this.gaugeItem = vscode.window.createStatusBarItem('spendBand.gauge', vscode.StatusBarAlignment.Right, 100);
    this.gaugeItem.name = 'Spend Band: Band Gauge';
  }

  render(inputs: StatusBarInputs): void {
    const model = statusBarModel(
      inputs.snapshot,
      inputs.workflow,
      inputs.classes,
      { mode: inputs.mode, display: inputs.display, loading: inputs.loading },
      new Date(),
    );
    apply(this.workflowItem, model.workflow);
    // Official figures sit beside our estimate, never mixed into it: a line of their own.
    const gauge = inputs.official
      ? { ...model.gauge, tooltip: `${model.gauge.tooltip}\n\n${inputs.official}` }
      : model.gauge;
    apply(this.gaugeItem, gauge);
    this.lastGaugeTooltip = gauge.tooltip;
    this.lastGaugeText = model.gauge.text;
    this.lastGaugeBackground = model.gauge.background;
    this.workflowItem.show();
    this.gaugeItem.show();
  }

  dispose(): void {
    this.workflowItem.dispose();
    this.gaugeItem.dispose();
  }
}

function apply(item: vscode.StatusBarItem, model: ItemModel): void {
  item.text = model.text;
  const tooltip = new vscode.MarkdownString(model.tooltip, true);
  tooltip.isTrusted = { enabledCommands: TRUSTED_COMMANDS };
  tooltip.supportHtml = false;
  item.tooltip = tooltip;
  item.command = model.command;
  item.accessibilityInformation = { label: model.accessibilityLabel, role: 'button' };
  item.backgroundColor =
    model.background === 'warning'
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : model.background === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : undefined;
}

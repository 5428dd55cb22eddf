// The spend report: "Spend Band: Open Report" (a webview of the month or week, charts drawn by pure
// code), "Spend Band: Export Period…" (CSV or JSON through a Save As dialog), and the weekly/monthly
// reviews that open the report at that review. Both commands take optional arguments so that the
// review notification, other extensions and the integration tests can drive them without dialogs;
// `spendBand.openReport` resolves to what it drew ({ model, html, rendered }).
import { basename } from 'node:path';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { reportToCsv, reportToJson } from '../domain/reportExport';
import type { ReportFocus, ReportModel } from '../domain/reportModel';
import {
  monthWindow,
  shiftWindow,
  windowContaining,
  type ReportWindow,
  type ReportWindowKind,
} from '../domain/reportWindow';
import type { Review } from '../domain/reviewCadence';
import { workflowClassFor } from '../domain/workflowClasses';
import { gatherReport, reportTimeZone } from '../flows/report/reportInputs';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';
import { ReportPanel, type ReportAction, type ShownReport } from './reportPanel';
import { ReviewScheduler } from './reviewScheduler';
import { showErrorMessage, showInformationMessage, showWarningMessage } from './notify';

class ReportUnavailableError extends Error {}

/** Arguments of `spendBand.openReport` (all optional; no arguments = this month). */
export interface OpenReportArgs {
  /** a month, YYYY-MM */
  period?: string;
  kind?: ReportWindowKind;
  /** open the latest weekly or monthly review (the week or month that just ended) */
  review?: 'weekly' | 'monthly';
}

/** Arguments of `spendBand.exportReport`; without `uri` a Save As dialog asks. */
export interface ExportReportArgs {
  format?: 'csv' | 'json';
  uri?: vscode.Uri | string;
  period?: string;
}

interface ReportState {
  window: ReportWindow;
  focus: ReportFocus | undefined;
}

export function registerReport(deps: FeatureDeps): vscode.Disposable {
  const feature = new ReportFeature(deps);
  return vscode.Disposable.from(
    feature,
    vscode.commands.registerCommand(COMMANDS.openReport, (args?: OpenReportArgs) => feature.open(args)),
    vscode.commands.registerCommand(COMMANDS.exportReport, (args?: ExportReportArgs) => feature.export(args)),
  );
}

class ReportFeature implements vscode.Disposable {
  private readonly panel: ReportPanel;
  private readonly reviews: ReviewScheduler;
  private state: ReportState | undefined;
  private controller: AbortController | undefined;

  constructor(private readonly deps: FeatureDeps) {
    this.panel = new ReportPanel(deps.context.extensionUri, (action) => void this.onAction(action), deps.log);
    this.reviews = new ReviewScheduler(
      deps,
      (review) => this.openReview(review),
      (id) => workflowClassFor(id, deps.classes()).label,
    );
    this.reviews.start();
  }

  private zone(): string {
    return reportTimeZone(this.deps.snapshot()?.document, this.deps.config.get('spendBand.local.timezone'));
  }

  private windowFor(args: OpenReportArgs | ExportReportArgs | undefined, now = new Date()): ReportWindow {
    const zone = this.zone();
    if (args?.period !== undefined) {
      const window = monthWindow(args.period, zone);
      if (!window) throw new RangeError(`"${args.period}" is not a month like 2026-11.`);
      return window;
    }
    return windowContaining((args as OpenReportArgs | undefined)?.kind ?? 'month', now, zone);
  }

  async open(args?: OpenReportArgs): Promise<ShownReport | undefined> {
    if (args?.review) {
      const kind = args.review === 'weekly' ? 'week' : 'month';
      const window = shiftWindow(windowContaining(kind, new Date(), this.zone()), -1);
      return this.render({ window, focus: this.focusFor(args.review) });
    }
    try {
      return await this.render({ window: this.windowFor(args), focus: undefined });
    } catch (error) {
      if (error instanceof RangeError) {
        void showErrorMessage(`Spend Band: ${error.message} Open the report without a period for this month.`);
        return undefined;
      }
      throw error;
    }
  }

  private focusFor(review: 'weekly' | 'monthly'): ReportFocus {
    return review === 'weekly'
      ? { review, classes: this.deps.config.get('spendBand.reviews.volatileClasses') }
      : { review, classes: [] };
  }

  private openReview(review: Review): Promise<ShownReport | undefined> {
    return this.render({ window: review.window, focus: { review: review.kind, classes: review.classes } });
  }

  private async render(state: ReportState): Promise<ShownReport | undefined> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    let model: ReportModel;
    try {
      model = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Spend Band: building the report' },
        () => this.loadModel(state.window, state.focus, controller.signal),
      );
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      this.showError(error);
      return undefined;
    }
    if (controller.signal.aborted) return undefined;
    this.state = state;
    return this.panel.show(model);
  }

  /** The bands on screen, the endpoint's usage history or this machine's metering, and the runs (flows/report). */
  private async loadModel(
    window: ReportWindow,
    focus: ReportFocus | undefined,
    signal: AbortSignal,
  ): Promise<ReportModel> {
    const snapshot = this.deps.snapshot();
    const document = snapshot?.document;
    if (!snapshot || !document) {
      throw new ReportUnavailableError(
        'No bands to report on yet: connect an endpoint (Spend Band: Connect Endpoint…) or use local bands (Spend Band: Use Local Bands), then open the report again.',
      );
    }
    const metering = await this.deps.usageSnapshot();
    const { model } = await gatherReport({
      document,
      source: snapshot.source,
      stale: snapshot.stale,
      window,
      now: new Date(),
      signal,
      usageClient: async () => {
        if (snapshot.source !== 'endpoint') return undefined;
        const client = await this.deps.client();
        return client ? { client, release: () => client.close() } : undefined;
      },
      metering: metering && metering.stats.filesTotal > 0 ? metering : undefined,
      sessions: this.deps.sessions(),
      classes: this.deps.classes(),
      focus,
      warn: (text) => this.deps.log.warn(`Report: ${text}`),
    });
    return model;
  }

  private showError(error: unknown): void {
    if (error instanceof ReportUnavailableError) {
      void showWarningMessage(`Spend Band: ${error.message}`, 'Connect Endpoint…', 'Use Local Bands').then((choice) => {
        if (choice === 'Connect Endpoint…') void vscode.commands.executeCommand(COMMANDS.connectEndpoint);
        if (choice === 'Use Local Bands') void vscode.commands.executeCommand(COMMANDS.useLocalBands);
      });
      return;
    }
    const message = (error as Error).message;
    this.deps.log.error(`Report failed: ${message}`);
    void showErrorMessage(
      `Spend Band: the report could not be built (${message}). Try Refresh; the log has details.`,
      'Show Log',
    ).then((choice) => {
      if (choice === 'Show Log') this.deps.log.show();
    });
  }

  private async onAction(action: ReportAction): Promise<void> {
    const state = this.state;
    if (!state) return;
    switch (action) {
      case 'previous':
      case 'next':
        await this.render({ window: shiftWindow(state.window, action === 'previous' ? -1 : 1), focus: undefined });
        return;
      case 'toggleKind': {
        // the other kind at the same place in time: today when the window holds it, else the window's last day
        const nowMs = Date.now();
        const anchor =
          nowMs >= Date.parse(state.window.start) && nowMs < Date.parse(state.window.end)
            ? nowMs
            : Date.parse(state.window.end) - 1;
        await this.render({
          window: windowContaining(
            state.window.kind === 'month' ? 'week' : 'month',
            new Date(anchor),
            state.window.timezone,
          ),
          focus: undefined,
        });
        return;
      }
      case 'refresh':
        await this.deps.refreshBands();
        await this.render(state);
        return;
      case 'exportCsv':
      case 'exportJson':
        await this.export({ format: action === 'exportCsv' ? 'csv' : 'json' }, state);
        return;
    }
  }

  /** Writes the period as CSV or JSON; resolves with where it was written (undefined when cancelled). */
  async export(args?: ExportReportArgs, state = this.state): Promise<vscode.Uri | undefined> {
    let window: ReportWindow;
    try {
      window = args?.period !== undefined || !state ? this.windowFor(args) : state.window;
    } catch (error) {
      void showErrorMessage(`Spend Band: ${(error as Error).message} Export without a period for this month.`);
      return undefined;
    }
    let uri = typeof args?.uri === 'string' ? vscode.Uri.parse(args.uri) : args?.uri;
    let format = args?.format;
    if (!uri) {
      const wanted = format ?? 'csv';
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
      const filters: Record<string, string[]> =
        wanted === 'json' ? { JSON: ['json'], CSV: ['csv'] } : { CSV: ['csv'], JSON: ['json'] };
      uri = await vscode.window.showSaveDialog({
        title: `Spend Band: Export ${window.label}`,
        saveLabel: 'Export',
        defaultUri: vscode.Uri.joinPath(folder, `spend-band-${window.key}.${wanted}`),
        filters,
      });
      if (!uri) return undefined;
    }
    const lower = uri.path.toLowerCase();
    format = lower.endsWith('.json') ? 'json' : lower.endsWith('.csv') ? 'csv' : (format ?? 'csv');
    const controller = new AbortController();
    let model: ReportModel;
    try {
      model = await this.loadModel(
        window,
        state?.window.key === window.key ? state.focus : undefined,
        controller.signal,
      );
    } catch (error) {
      this.showError(error);
      return undefined;
    }
    const text = format === 'json' ? reportToJson(model) : reportToCsv(model);
    try {
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    } catch (error) {
      void showErrorMessage(
        `Spend Band: could not write ${uri.fsPath} (${(error as Error).message}). Choose another folder and export again.`,
      );
      return undefined;
    }
    this.deps.log.info(`Exported ${window.label} as ${format.toUpperCase()} to ${uri.toString()}.`);
    if (!args?.uri) {
      void showInformationMessage(`Spend Band: exported ${window.label} to ${basename(uri.path)}.`, 'Open').then(
        (choice) => {
          if (choice === 'Open') void vscode.commands.executeCommand('vscode.open', uri);
        },
      );
    }
    return uri;
  }

  dispose(): void {
    this.controller?.abort();
    this.reviews.dispose();
    this.panel.dispose();
  }
}

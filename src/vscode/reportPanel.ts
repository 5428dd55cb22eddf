// The report's webview panel: a strict Content-Security-Policy (a fresh nonce per render for the one
// script, styles only from media/report, nothing remote), local resources limited to media/report, and
// the body drawn by pure code (src/domain/reportHtml.ts). The page posts back what it actually drew
// (a "rendered" message read from its own DOM), which the open command hands to callers and tests.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeXml } from '../domain/chartSvg';
import { reportBodyHtml } from '../domain/reportHtml';
import type { ReportModel } from '../domain/reportModel';

export const REPORT_VIEW_TYPE = 'spendBand.report';

export type ReportAction = 'previous' | 'next' | 'toggleKind' | 'exportCsv' | 'exportJson' | 'refresh';
const ACTIONS: readonly ReportAction[] = ['previous', 'next', 'toggleKind', 'exportCsv', 'exportJson', 'refresh'];

/** What the webview reports after drawing, read from its own DOM. */
export interface RenderedReport {
  renderId: string;
  title: string;
  bandIds: string[];
  /** band charts (svg.sb-chart) and bar charts (svg.sb-bars) in the page */
  charts: number;
  bars: number;
  /** spend lines drawn (polyline.sb-spend) */
  spendLines: number;
  outlierRows: number;
  /** the theme class VS Code put on <body>: vscode-light, vscode-dark, vscode-high-contrast… */
  theme: string;
  /** laid-out size of the first band chart, to prove it is visible (0 × 0 when hidden) */
  chartWidth: number;
  chartHeight: number;
  /** DOM elements in the page (stays bounded however much usage there is) */
  elements: number;
}

export interface ShownReport {
  model: ReportModel;
  html: string;
  /** resolves when the webview has drawn this render (or rejects after a timeout) */
  rendered: Promise<RenderedReport>;
}

function isRendered(value: unknown): value is RenderedReport & { type: 'rendered' } {
  const v = value as Partial<RenderedReport> & { type?: unknown };
  return typeof v === 'object' && v !== null && v.type === 'rendered' && typeof v.renderId === 'string';
}

const RENDER_TIMEOUT_MS = 60_000;

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly mediaRoot: vscode.Uri;
  private readonly icon: vscode.Uri;
  private readonly waiting = new Map<string, (r: RenderedReport) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private renderCount = 0;
  lastShown: ShownReport | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly onAction: (action: ReportAction) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.mediaRoot = vscode.Uri.joinPath(extensionUri, 'media', 'report');
    this.icon = vscode.Uri.joinPath(extensionUri, 'media', 'spend-band.svg');
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'Spend Band: Report', vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [this.mediaRoot],
      // the page is cheap to redraw from the model; no need to keep a hidden DOM alive
      retainContextWhenHidden: false,
    });
    panel.iconPath = this.icon;
    panel.onDidDispose(() => {
      this.panel = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
    });
    // A hidden panel loses its DOM; VS Code reloads it from the last html when it is shown again.
    this.disposables.push(panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)));
    this.panel = panel;
    return panel;
  }

  private onMessage(message: unknown): void {
    if (isRendered(message)) {
      this.waiting.get(message.renderId)?.(message);
      this.waiting.delete(message.renderId);
      return;
    }
    const m = message as { type?: unknown; action?: unknown };
    if (m?.type === 'action' && typeof m.action === 'string' && (ACTIONS as readonly string[]).includes(m.action)) {
      this.onAction(m.action as ReportAction);
    } else {
      this.log.debug(`Report webview: ignored a message ${JSON.stringify(message).slice(0, 200)}`);
    }
  }

  /** Draws `model` (opening the panel if needed); the promise in the result resolves when the page has drawn it. */
  show(model: ReportModel): ShownReport {
    const panel = this.ensurePanel();
    panel.title = `Spend Band: ${model.title.replace(/^Spend report — /, 'Report — ')}`;
    const renderId = `r${++this.renderCount}`;
    const rendered = new Promise<RenderedReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(renderId);
        reject(new Error(`the report webview did not confirm drawing within ${RENDER_TIMEOUT_MS / 1000} s`));
      }, RENDER_TIMEOUT_MS);
      this.waiting.set(renderId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    // nobody has to listen: a caller that does not await it must not see an unhandled rejection
    rendered.catch(() => undefined);
    const html = this.html(panel.webview, model, renderId);
    panel.webview.html = html;
    this.lastShown = { model, html, rendered };
    return this.lastShown;
  }

  private html(webview: vscode.Webview, model: ReportModel, renderId: string): string {
    const nonce = randomBytes(18).toString('base64');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot, 'report.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot, 'report.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<link rel="stylesheet" href="${css.toString()}">`,
      `<title>${escapeXml(model.title)}</title>`,
      '</head>',
      `<body data-render-id="${renderId}">`,
      `<main id="report">${reportBodyHtml(model)}</main>`,
      `<script nonce="${nonce}" src="${js.toString()}"></script>`,
      '</body>',
      '</html>',
    ].join('\n');
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

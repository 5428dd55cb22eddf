// The spend report in a real VS Code against the reference server's demo data: the webview draws one
// chart per band and the breakdowns, and says so from its own DOM; the figures are the bands'; the
// export writes CSV and JSON whose money is exact; the weekly review opens focused on its classes.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decimalToMicros } from '../../src/domain/money';
import type { BandReport } from '../../src/domain/reportModel';
import type { ShownReport } from '../../src/vscode/reportPanel';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { recordMetric } from './support/metrics';
import { connectToTestServer } from './support/spendBand';

describe('report: webview, export, reviews', function () {
  this.timeout(180_000);
  let api: SpendBandTestHooks;

  before(async () => {
    api = await connectToTestServer();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens the month’s report and the webview draws every band from the demo data', async () => {
    const started = Date.now();
    const shown = await vscode.commands.executeCommand<ShownReport | undefined>('spendBand.openReport');
    assert.ok(shown, 'spendBand.openReport resolved to nothing: the report could not be built (see the log)');
    const rendered = await shown.rendered;
    recordMetric('reportOpenMs', Date.now() - started);
    const bands = api.snapshot()!.document!.bands;
    assert.equal(shown.model.source.usage, 'endpoint', 'the demo endpoint has usage history');
    assert.deepEqual(
      rendered.bandIds,
      bands.map((b) => b.id),
      'one section per band, in order',
    );
    assert.equal(rendered.charts, bands.length, 'one SVG chart per band');
    assert.equal(rendered.spendLines, bands.length, 'every chart has a spend line');
    assert.equal(rendered.bars, 3, 'by class, by model, by agent');
    assert.ok(
      rendered.chartWidth > 100 && rendered.chartHeight > 30,
      `the first chart is laid out at ${rendered.chartWidth}×${rendered.chartHeight}`,
    );
    assert.match(rendered.theme, /^vscode-/, 'the page carries VS Code’s theme class');
    assert.match(rendered.title, /^Spend report — /);
    for (const band of bands) {
      const mine: BandReport = shown.model.bands.find((b: BandReport) => b.id === band.id)!;
      assert.equal(mine.usedMicros, band.used.amount_micros, `${band.id}: the report shows the band’s figure`);
      assert.equal(
        mine.series[mine.series.length - 1]!.micros,
        band.used.amount_micros,
        `${band.id}: the history adds up to the band`,
      );
    }
    // the CSP: one nonce'd script, no inline style or remote source
    assert.match(
      shown.html,
      /Content-Security-Policy" content="default-src 'none'; style-src [^;]+; img-src [^;]+; font-src [^;]+; script-src 'nonce-[A-Za-z0-9+/=]+'/,
    );
    const loaded = [...shown.html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(loaded.length, 2, `one stylesheet and one script: ${loaded.join(', ')}`);
    for (const url of loaded)
      assert.match(url, /\/media\/report\/report\.(css|js)$/, `${url} is not from media/report`);
    assert.match(
      loaded[0]!,
      /vscode-(resource|cdn)|vscode-webview/,
      'resources come through the webview resource origin, not the network',
    );
    assert.doesNotMatch(shown.html, /style="|unsafe-inline/);
    console.log(
      `report drawn: ${rendered.charts} charts, ${rendered.bars} bar charts, ${rendered.elements} elements, theme ${rendered.theme}`,
    );
  });

  it('exports the period as CSV and JSON with exact money', async () => {
    const dir = join(process.env.SPEND_BAND_TEST_TMP ?? '/tmp', 'report-export');
    mkdirSync(dir, { recursive: true });
    const csvUri = await vscode.commands.executeCommand<vscode.Uri | undefined>('spendBand.exportReport', {
      uri: vscode.Uri.file(join(dir, 'month.csv')),
    });
    const jsonUri = await vscode.commands.executeCommand<vscode.Uri | undefined>('spendBand.exportReport', {
      uri: vscode.Uri.file(join(dir, 'month.json')),
    });
    assert.ok(csvUri && jsonUri, 'the export resolved to nothing');
    const csv = readFileSync(csvUri.fsPath, 'utf8').trimEnd().split('\r\n');
    assert.equal(
      csv[0],
      'section,key,label,workflow,start,end,amount,allocated,currency,requests,status,outlier,unpriced_requests,unpriced_tokens',
    );
    const json = JSON.parse(readFileSync(jsonUri.fsPath, 'utf8'));
    assert.equal(json.schema, 'spend-band/report/v1');
    for (const band of api.snapshot()!.document!.bands) {
      const row = csv.find((line) => line.startsWith(`band,${band.id},`))!.split(',');
      assert.equal(decimalToMicros(row[6]!), band.used.amount_micros, `${band.id} in the CSV`);
      assert.equal(
        decimalToMicros(json.bands.find((b: { id: string }) => b.id === band.id).used.amount),
        band.used.amount_micros,
        `${band.id} in the JSON`,
      );
    }
    const days = csv
      .filter((line) => line.startsWith('day,'))
      .reduce((a, line) => a + decimalToMicros(line.split(',')[6]!), 0);
    assert.equal(days, decimalToMicros(json.totals.spend.amount), 'the days add up to the total to the micro');
  });

  it('opens the weekly review focused on the volatile classes', async () => {
    const shown = await vscode.commands.executeCommand<ShownReport | undefined>('spendBand.openReport', {
      review: 'weekly',
    });
    assert.ok(shown);
    const rendered = await shown.rendered;
    assert.equal(shown.model.window.kind, 'week');
    assert.ok(Date.parse(shown.model.window.end) <= Date.now(), 'the week under review has ended');
    assert.deepEqual(shown.model.focus?.classes, ['background_automation', 'deep_coding']);
    assert.match(rendered.title, /^Weekly review — Week of /);
    assert.ok(
      shown.model.bands
        .filter((b) => b.inFocus)
        .map((b) => b.workflow)
        .includes('deep_coding'),
    );
    assert.match(shown.html, /class="sb-review"/);
  });
});

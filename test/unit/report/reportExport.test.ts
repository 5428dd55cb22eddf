import * as assert from 'node:assert/strict';
import { decimalToMicros } from '../../../src/domain/money';
import { CSV_COLUMNS, reportToCsv, reportToJson, REPORT_JSON_SCHEMA } from '../../../src/domain/reportExport';
import { reportBodyHtml } from '../../../src/domain/reportHtml';
import { buildReport } from '../../../src/domain/reportModel';
import { reportToMarkdown, reportToText } from '../../../src/domain/reportText';
import { monthWindow } from '../../../src/domain/reportWindow';
import { $, documentOf, NOW, row } from './reportFixtures';

/** A small RFC 4180 reader, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let rowCells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rowCells.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      rowCells.push(cell);
      rows.push(rowCells);
      rowCells = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

function model() {
  return buildReport({
    document: documentOf(),
    source: 'endpoint',
    window: monthWindow('2026-11', 'UTC')!,
    now: NOW,
    usage: [
      row('2026-11-02T10:00:00Z', 'deep_coding', 0.1),
      row('2026-11-02T11:00:00Z', 'deep_coding', 0.2),
      row('2026-11-03T10:00:00Z', 'review', 1.000001, { model: '=HYPERLINK("x"), "quoted"' }),
    ],
    usageSource: 'endpoint',
    runs: [],
  });
}

describe('report exports', () => {
  it('writes CSV whose amounts are exact decimals that add up to the micro', () => {
    const rows = parseCsv(reportToCsv(model()));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    const amount = CSV_COLUMNS.indexOf('amount');
    const days = rows.filter((r) => r[0] === 'day');
    assert.equal(days.length, 30);
    assert.equal(days.find((r) => r[1] === '2026-11-02')![amount], '0.3', '0.1 + 0.2 is exactly 0.3');
    const total = days.reduce((a, r) => a + decimalToMicros(r[amount]!), 0);
    assert.equal(total, $(1.300001));
    const bill = rows.find((r) => r[0] === 'bill' && r[1] === 'total')!;
    assert.equal(bill[amount], '20.300001');
    for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length, `row ${r.join('|')} has every column`);
  });

  it('quotes CSV text and defuses formulas from model names', () => {
    const csv = reportToCsv(model());
    const rows = parseCsv(csv);
    const modelRow = rows.find((r) => r[0] === 'model' && r[1]!.includes('HYPERLINK'))!;
    assert.equal(modelRow[1], `'=HYPERLINK("x"), "quoted"`);
    assert.match(csv, /"'=HYPERLINK\(""x""\), ""quoted"""/);
  });

  it('writes JSON with decimal-string money and the schema id', () => {
    const doc = JSON.parse(reportToJson(model())) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(doc.schema, REPORT_JSON_SCHEMA);
    assert.deepEqual(doc.totals.spend, { amount: '1.300001', currency: 'USD', lower_bound: false });
    assert.deepEqual(doc.bill.seats_total, { amount: '19', currency: 'USD' });
    const deep = doc.bands.find((b: { id: string }) => b.id === 'b_deep');
    assert.deepEqual(deep.used, { amount: '60', currency: 'USD', lower_bound: false });
    assert.equal(typeof deep.cumulative[1].spend, 'string');
    assert.equal(doc.window.key, '2026-11');
  });

  it('renders text and Markdown with the same figures', () => {
    const m = model();
    const text = reportToText(m);
    assert.match(text, /^Spend report — November 2026 \(UTC\)/);
    assert.match(text, /Seats \$19\.00 \+ usage \$1\.30 = \$20\.30/);
    assert.match(text, /Deep coding/);
    const md = reportToMarkdown(m);
    assert.match(md, /^# Spend report — November 2026/);
    assert.match(md, /\| Band \| Period \| Used \|/);
    assert.match(md, /=HYPERLINK\("x"\), "quoted"/, 'a model name with a pipe-free text stays readable');
  });

  it('renders the page body with one chart per band, escaped labels and no inline style', () => {
    const html = reportBodyHtml(model());
    assert.equal((html.match(/<svg class="sb-chart"/g) ?? []).length, 2);
    assert.equal((html.match(/<svg class="sb-bars"/g) ?? []).length, 3);
    assert.doesNotMatch(html, /style=|onclick=|<script/i);
    assert.match(html, /=HYPERLINK\(&quot;x&quot;\)/);
    assert.match(html, /data-band-id="b_deep"/);
  });

  it('shows usage without a price in the page as tokens with "no price", and mixed sums as "at least"', () => {
    const m = buildReport({
      document: documentOf(),
      source: 'local',
      window: monthWindow('2026-11', 'UTC')!,
      now: NOW,
      usage: [
        row('2026-11-02T10:00:00Z', 'deep_coding', 0.5),
        row('2026-11-03T10:00:00Z', 'deep_coding', null, { model: 'claude-nonesuch-9', tokens: 2_500_000 }),
      ],
      usageSource: 'local_logs',
      runs: [],
    });
    const html = reportBodyHtml(m);
    assert.match(html, /<text class="sb-bar-value"[^>]*>no price<\/text>/, 'the unpriced model’s bar');
    assert.match(html, /<text class="sb-bar-value"[^>]*>≥ \$0\.50<\/text>/, 'the class’s bar: a lower bound');
    assert.match(
      html,
      /No price \(not in the money, never counted as \$0\): claude-nonesuch-9 2\.5M tokens, 1 request\(s\)/,
    );
    assert.match(
      html,
      /<span class="sb-bill-label">Usage<\/span><span class="sb-bill-value">at least \$0\.50 \(\+2\.5M tokens, no price\)/,
    );
    assert.doesNotMatch(html, /class="sb-bar-value"[^>]*>\$0(\.00)?</, 'no bar says $0');
  });
});

import assert from 'node:assert/strict';
import type { Band, BandsDocument } from '../../../src/domain/schemas';
import { statusBarModel, type SnapshotView } from '../../../src/domain/statusBarModel';
import { DEFAULT_WORKFLOW_CLASSES } from '../../../src/domain/workflowClasses';
import { makeBand } from '../domain/makeBand';

const NOW = new Date('2026-11-21T12:00:00Z');

function band(workflow: string, used: number, allocated: number, status: Band['status']): Band {
  return makeBand({ id: `b-${workflow}`, workflow, used, allocated, status });
}

function view(bands: Band[], extra: Partial<SnapshotView> = {}): SnapshotView {
  const document: BandsDocument = {
    developer: { id: 'u1', display_name: 'Ada' },
    role: { id: 'backend_engineer' },
    seats: [
      { id: 's', vendor: 'github', product: 'copilot_business', cost: { currency: 'USD', amount_micros: 19_000_000 } },
    ],
    bands,
    escalation: { rules: [] },
    capabilities: { increase_requests: true },
    generated_at: NOW.toISOString(),
  };
  return { source: 'endpoint', document, stale: false, fetchedAt: NOW.toISOString(), error: undefined, ...extra };
}

const full = { mode: 'full' as const, display: 'money' as const, loading: false };
const classes = DEFAULT_WORKFLOW_CLASSES;

describe('status bar model', () => {
  it('ok band: percent · used/allocated · days left, no background', () => {
    const m = statusBarModel(
      view([band('deep_coding', 124_000_000, 200_000_000, 'ok')]),
      'deep_coding',
      classes,
      full,
      NOW,
    );
    assert.equal(m.gauge.text, '62% · $124/$200 · 10d');
    assert.equal(m.gauge.background, undefined);
    assert.equal(m.workflow.text, '$(code) Deep coding');
    assert.match(m.gauge.accessibilityLabel, /Deep coding band on track, 62 percent used/);
  });

  it('warn band: warning background; exceeded: error background and percent over 100', () => {
    const warn = statusBarModel(view([band('review', 34_000_000, 40_000_000, 'warn')]), 'review', classes, full, NOW);
    assert.equal(warn.gauge.background, 'warning');
    const over = statusBarModel(
      view([band('research', 45_000_000, 30_000_000, 'exceeded')]),
      'research',
      classes,
      full,
      NOW,
    );
    assert.equal(over.gauge.background, 'error');
    assert.match(over.gauge.text, /^150% · \$45\/\$30/);
  });

  it('marks a forecast that crosses 100 % before the period ends', () => {
    // 70 % used at 2/3 of the month: on course for ~105 %
    const m = statusBarModel(
      view([band('deep_coding', 140_000_000, 200_000_000, 'ok')]),
      'deep_coding',
      classes,
      full,
      NOW,
    );
    assert.match(m.gauge.text, /\$\(arrow-up\)$/);
    assert.match(m.gauge.accessibilityLabel, /runs out on/);
  });

  it('compact and percent displays', () => {
    const v = view([band('deep_coding', 124_000_000, 200_000_000, 'ok')]);
    assert.equal(statusBarModel(v, 'deep_coding', classes, { ...full, mode: 'compact' }, NOW).gauge.text, '$124/$200');
    assert.equal(
      statusBarModel(v, 'deep_coding', classes, { ...full, mode: 'compact', display: 'percent' }, NOW).gauge.text,
      '62%',
    );
    assert.equal(
      statusBarModel(v, 'deep_coding', classes, { ...full, display: 'percent' }, NOW).gauge.text,
      '62% · 10d',
    );
  });

  it('tooltip: every band, the whole bill, freshness and command links', () => {
    const m = statusBarModel(
      view([band('deep_coding', 124_000_000, 200_000_000, 'ok'), band('review', 34_000_000, 40_000_000, 'warn')]),
      'deep_coding',
      classes,
      full,
      NOW,
    );
    assert.match(m.gauge.tooltip, /Deep coding ◀/);
    assert.match(m.gauge.tooltip, /Review/);
    // Every ASCII punctuation mark of endpoint-derived text is escaped (domain/untrustedText.ts markdownText).
    assert.match(m.gauge.tooltip, /Seats \\\$19\\\.00 \\\+ usage \\\$158\\\.00 \\= \\\$177\\\.00/);
    assert.match(m.gauge.tooltip, /updated just now/);
    assert.match(m.gauge.tooltip, /\| \\\$50 \$\(arrow-up\) \|/, 'the forecast marker stays a codicon');
    for (const link of ['spendBand.setWorkflow', 'spendBand.refresh', 'spendBand.openView'])
      assert.ok(m.gauge.tooltip.includes(`command:${link}`), link);
  });

  it('stale data: a marker in the text and "stale since" in the tooltip', () => {
    const m = statusBarModel(
      view([band('deep_coding', 124_000_000, 200_000_000, 'ok')], {
        stale: true,
        fetchedAt: '2026-11-21T10:00:00Z',
        error: { kind: 'offline', message: 'connection refused' },
      }),
      'deep_coding',
      classes,
      full,
      NOW,
    );
    assert.match(m.gauge.text, /\$\(cloud-offline\)$/);
    assert.match(m.gauge.tooltip, /stale since Nov 21, 10:00/);
  });

  it('nothing configured, loading, an error without data, and a class without a band', () => {
    assert.match(
      statusBarModel(
        { source: 'none', document: undefined, stale: false, fetchedAt: undefined, error: undefined },
        'review',
        classes,
        full,
        NOW,
      ).gauge.text,
      /set up/,
    );
    assert.match(statusBarModel(undefined, 'review', classes, full, NOW).gauge.text, /sync~spin/);
    const failed = statusBarModel(
      {
        source: 'endpoint',
        document: undefined,
        stale: false,
        fetchedAt: undefined,
        error: { kind: 'unauthorized', message: 'HTTP 401' },
      },
      'review',
      classes,
      full,
      NOW,
    );
    assert.equal(failed.gauge.command, 'spendBand.connectEndpoint');
    assert.equal(failed.gauge.background, 'error');
    assert.match(
      statusBarModel(view([band('deep_coding', 1, 2, 'ok')]), 'research', classes, full, NOW).gauge.text,
      /no band/,
    );
  });

  it('an all band covers every class', () => {
    const m = statusBarModel(view([band('all', 50_000_000, 100_000_000, 'ok')]), 'research', classes, full, NOW);
    assert.match(m.gauge.text, /^50% · \$50\/\$100/);
  });
});

describe('gauge tooltip command allowlist (#20 finding 2)', () => {
  it('enables only the commands the tooltip links, none that acts on arguments', async () => {
    const { TOOLTIP_COMMANDS, LINKS } = await import('../../../src/domain/statusBarModel');
    for (const id of [
      'spendBand.runWithPreflight',
      'spendBand.cancelRequest',
      'spendBand.signOut',
      'spendBand.installClaudeHook',
      'spendBand.exportReport',
    ]) {
      assert.ok(!TOOLTIP_COMMANDS.includes(id), `${id} must not be enabled in the tooltip`);
    }
    for (const link of Object.values(LINKS)) {
      assert.doesNotMatch(link, /\?/, 'the tooltip passes no arguments');
      assert.ok(TOOLTIP_COMMANDS.includes(link.slice('command:'.length)));
    }
  });
});

import assert from 'node:assert/strict';
import {
  localBandsDocument,
  LocalConfigError,
  parseLocalConfig,
  validateLocalConfig,
} from '../../../src/domain/localConfig';
import { preflightVerdict } from '../../../src/domain/preflightVerdict';
import { BandsDocumentSchema } from '../../../src/domain/schemas';

const USD = 1_000_000;
const NOW = new Date('2026-11-10T12:00:00Z'); // a Tuesday

// The example of docs/contract/cli.md, "The local config file", verbatim
const CLI_EXAMPLE = `{
  "currency": "USD",
  "timezone": "Europe/Berlin",
  "role": "platform_engineer",
  "seats": [{ "vendor": "github", "product": "copilot_business", "monthly_usd": 19 }],
  "bands": [
    { "workflow": "deep_coding", "allocated_usd": 200 },
    { "workflow": "review", "allocated_usd": 40, "thresholds": [70, 100] },
    { "workflow": "background_automation", "allocated_usd": 50, "period": "P1W",
      "escalation": [
        { "estimate_at_least_usd": 5, "action": "warn" },
        { "estimate_at_least_usd": 20, "action": "needs_approval" } ] }
  ]
}
`;

function configError(text: string): LocalConfigError {
  try {
    parseLocalConfig(text, 'config.json');
  } catch (error) {
    assert.ok(error instanceof LocalConfigError, String(error));
    return error;
  }
  assert.fail('expected a LocalConfigError');
}

/** A config text with `band` as the second band, on line 4. */
const withBand = (band: string) => `{
  "bands": [
    { "workflow": "deep_coding", "allocated_usd": 200 },
    ${band}
  ]
}`;

describe('localConfig', () => {
  describe('the CLI contract example', () => {
    const doc = localBandsDocument(parseLocalConfig(CLI_EXAMPLE, 'config.json'), NOW);

    it('is a valid BandsDocument', () => {
      const parsed = BandsDocumentSchema.safeParse(doc);
      assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
      assert.equal(doc.generated_at, '2026-11-10T12:00:00.000Z');
      assert.deepEqual(doc.role, { id: 'platform_engineer' });
      assert.deepEqual(doc.developer, { id: 'me' });
    });

    it('turns seats into monthly seat items in micros', () => {
      assert.deepEqual(doc.seats, [
        {
          id: 'local-seat-1',
          vendor: 'github',
          product: 'copilot_business',
          cost: { currency: 'USD', amount_micros: 19 * USD },
          cost_period: 'P1M',
          source: 'local_config',
        },
      ]);
    });

    it('applies the defaults: calendar month in the zone, thresholds [80, 100] as warn/critical, soft enforcement', () => {
      const deep = doc.bands.find((b) => b.workflow === 'deep_coding')!;
      assert.deepEqual(deep.period, {
        interval: 'P1M',
        start: '2026-11-01T00:00:00+01:00',
        end: '2026-12-01T00:00:00+01:00',
        timezone: 'Europe/Berlin',
      });
      assert.deepEqual(deep.thresholds, [
        { percent: 80, severity: 'warn' },
        { percent: 100, severity: 'critical' },
      ]);
      assert.equal(deep.enforcement, 'soft');
      assert.deepEqual(deep.allocated, { currency: 'USD', amount_micros: 200 * USD });
      assert.deepEqual(deep.used, { currency: 'USD', amount_micros: 0 });
      assert.deepEqual(deep.remaining, { currency: 'USD', amount_micros: 200 * USD });
      assert.equal(deep.status, 'ok');
      assert.equal(deep.id, 'local-deep_coding');
      assert.equal(deep.temporary_increase, null);
    });

    it('keeps custom thresholds and the weekly period', () => {
      const review = doc.bands.find((b) => b.workflow === 'review')!;
      assert.deepEqual(review.thresholds, [
        { percent: 70, severity: 'warn' },
        { percent: 100, severity: 'critical' },
      ]);
      const bg = doc.bands.find((b) => b.workflow === 'background_automation')!;
      assert.equal(bg.period.interval, 'P1W');
      assert.equal(bg.period.start, '2026-11-09T00:00:00+01:00');
      assert.equal(bg.period.end, '2026-11-16T00:00:00+01:00');
    });

    it('turns escalation into EscalationRules with applies_to, in micros', () => {
      const rules = [...doc.escalation.rules].sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(rules, [
        {
          id: 'background_automation-1',
          applies_to: ['background_automation'],
          when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD } },
          action: 'warn',
        },
        {
          id: 'background_automation-2',
          applies_to: ['background_automation'],
          when: { estimate_at_least: { currency: 'USD', amount_micros: 20 * USD } },
          action: 'needs_approval',
        },
      ]);
      assert.equal(doc.escalation.per_run_cap, undefined);
    });

    it('tiers written from mild to strict still escalate: 25 USD needs approval, 6 USD warns, 4 USD is allowed', () => {
      const bg = doc.bands.find((b) => b.workflow === 'background_automation')!;
      const ask = (usd: number) =>
        preflightVerdict({
          workflow: 'background_automation',
          estimate: { cost: { currency: 'USD', amount_micros: usd * USD } },
          band: bg,
          policy: doc.escalation,
          now: NOW,
        });
      assert.equal(ask(25).decision, 'needs_approval');
      assert.equal(ask(25).rule_id, 'background_automation-2');
      assert.equal(ask(20).decision, 'needs_approval');
      assert.equal(ask(6).decision, 'warn');
      assert.equal(ask(6).rule_id, 'background_automation-1');
      assert.equal(ask(4).decision, 'allow');
    });

    it('local bands say what they cannot do', () => {
      assert.deepEqual(doc.capabilities, {
        session_tags: false,
        preflight: false,
        increase_requests: false,
        usage_history: false,
      });
    });
  });

  describe('options', () => {
    it('currency, developer, enforcement, label, P1D, per-run cap and string amounts', () => {
      const config = validateLocalConfig(
        {
          currency: 'EUR',
          developer: 'ada',
          per_run_cap_usd: '12.50',
          bands: [{ workflow: 'research', label: 'Reading', allocated_usd: '0.1', period: 'P1D', enforcement: 'hard' }],
        },
        'settings',
      );
      const doc = localBandsDocument({ ...config, timezone: 'UTC' }, NOW);
      assert.deepEqual(doc.escalation.per_run_cap, { currency: 'EUR', amount_micros: 12_500_000 });
      const band = doc.bands[0]!;
      assert.equal(band.label, 'Reading');
      assert.equal(band.enforcement, 'hard');
      assert.deepEqual(band.allocated, { currency: 'EUR', amount_micros: 100_000 });
      assert.equal(band.period.start, '2026-11-10T00:00:00+00:00');
      assert.equal(doc.developer.id, 'ada');
      assert.equal(BandsDocumentSchema.safeParse(doc).success, true);
    });

    it('an `all` band is allowed; an empty config is an empty document', () => {
      const doc = localBandsDocument(
        validateLocalConfig({ timezone: 'UTC', bands: [{ workflow: 'all', allocated_usd: 100 }] }, 'settings'),
        NOW,
      );
      assert.equal(doc.bands[0]!.workflow, 'all');
      const empty = localBandsDocument(validateLocalConfig(undefined, 'settings'), NOW);
      assert.deepEqual(empty.bands, []);
      assert.deepEqual(empty.seats, []);
      assert.equal(BandsDocumentSchema.safeParse(empty).success, true);
    });

    it('metered usage gives used, remaining, status and a source', () => {
      const config = validateLocalConfig(
        {
          timezone: 'UTC',
          bands: [
            { workflow: 'deep_coding', allocated_usd: 100 },
            { workflow: 'review', allocated_usd: 10 },
          ],
        },
        's',
      );
      const doc = localBandsDocument(config, NOW, {
        usedByWorkflow: new Map([
          ['deep_coding', 80 * USD],
          ['review', 10 * USD + 1],
        ]),
        asOf: new Date('2026-11-10T11:59:00Z'),
        provider: 'local_logs',
      });
      const [deep, review] = doc.bands;
      assert.equal(deep!.status, 'warn');
      assert.deepEqual(deep!.remaining, { currency: 'USD', amount_micros: 20 * USD });
      assert.deepEqual(deep!.sources, [
        {
          provider: 'local_logs',
          used: { currency: 'USD', amount_micros: 80 * USD },
          as_of: '2026-11-10T11:59:00.000Z',
          estimated: true,
        },
      ]);
      assert.equal(review!.status, 'exceeded');
      assert.equal(review!.remaining.amount_micros, -1);
      assert.equal(doc.capabilities.usage_history, true);
      assert.equal(BandsDocumentSchema.safeParse(doc).success, true);
    });

    it('a self-set increase raises the allocation until it ends', () => {
      const config = validateLocalConfig(
        { timezone: 'UTC', bands: [{ workflow: 'deep_coding', allocated_usd: 100 }] },
        's',
      );
      const increase = {
        workflow: 'deep_coding',
        amount_micros: 50 * USD,
        until: '2026-11-20T00:00:00Z',
        request_id: 'self-1',
      };
      const doc = localBandsDocument(config, NOW, undefined, [increase]);
      assert.equal(doc.bands[0]!.allocated.amount_micros, 150 * USD);
      assert.deepEqual(doc.bands[0]!.temporary_increase, {
        amount: { currency: 'USD', amount_micros: 50 * USD },
        until: '2026-11-20T00:00:00Z',
        request_id: 'self-1',
        self_set: true,
      });
      const later = localBandsDocument(config, new Date('2026-11-20T00:00:00Z'), undefined, [increase]);
      assert.equal(later.bands[0]!.allocated.amount_micros, 100 * USD);
      assert.equal(later.bands[0]!.temporary_increase, null);
    });

    it('a thresholds list is sorted; 100 and above are critical', () => {
      const config = validateLocalConfig(
        { timezone: 'UTC', bands: [{ workflow: 'review', allocated_usd: 1, thresholds: [120, 50] }] },
        's',
      );
      assert.deepEqual(localBandsDocument(config, NOW).bands[0]!.thresholds, [
        { percent: 50, severity: 'warn' },
        { percent: 120, severity: 'critical' },
      ]);
    });
  });

  describe('errors name the line and the field', () => {
    it('a bad amount', () => {
      const e = configError(withBand('{ "workflow": "review", "allocated_usd": "lots" }'));
      assert.equal(e.line, 4);
      assert.equal(e.field, 'bands[1].allocated_usd');
      assert.equal(e.origin, 'config.json');
      assert.equal(e.message, 'config.json line 4, bands[1].allocated_usd: expected an amount such as 19 or 12.50');
      assert.match(
        configError(withBand('{ "workflow": "review", "allocated_usd": "12,50" }')).message,
        /bands\[1\]\.allocated_usd: expected an amount/,
      );
      assert.match(
        configError(withBand('{ "workflow": "review", "allocated_usd": true }')).message,
        /line 4, bands\[1\]\.allocated_usd: expected an amount such as 19 or 12.50$/,
      );
      assert.match(
        configError(withBand('{ "workflow": "review", "allocated_usd": -5 }')).message,
        /line 4, bands\[1\]\.allocated_usd: must not be negative$/,
      );
    });

    it('a missing amount points at its band', () => {
      const e = configError(withBand('{ "workflow": "review" }'));
      assert.equal(e.line, 4);
      assert.equal(e.field, 'bands[1].allocated_usd');
      assert.doesNotMatch(e.message, /Invalid input/);
      assert.match(e.message, /amount such as 19/);
    });

    it('an unknown period', () => {
      const e = configError(withBand('{ "workflow": "review", "allocated_usd": 5, "period": "P1Q" }'));
      assert.equal(e.line, 4);
      assert.equal(e.field, 'bands[1].period');
      assert.match(e.message, /expected P1M \(calendar month\), P1W \(ISO week\) or P1D$/);
    });

    it('a bad time zone', () => {
      const e = configError('{\n  "currency": "USD",\n  "timezone": "Mars/Olympus_Mons"\n}');
      assert.equal(e.line, 3);
      assert.equal(e.field, 'timezone');
      assert.match(e.message, /^config\.json line 3, timezone: .*IANA time zone such as Europe\/Berlin/);
    });

    it('a duplicate workflow names the second band', () => {
      const e = configError(`{
  "bands": [
    { "workflow": "review", "allocated_usd": 5 },
    { "workflow": "deep_coding", "allocated_usd": 5 },
    { "workflow": "review", "allocated_usd": 7 }
  ]
}`);
      assert.equal(e.line, 5);
      assert.equal(e.field, 'bands[2].workflow');
      assert.match(e.message, /each workflow class may have one band/);
      assert.match(e.message, /bands\[0\]/, 'says where the first one is');
    });

    it('a bad workflow id, threshold and escalation action', () => {
      assert.equal(
        configError(withBand('{ "workflow": "Deep Coding", "allocated_usd": 5 }')).field,
        'bands[1].workflow',
      );
      const t = configError(withBand('{ "workflow": "review", "allocated_usd": 5, "thresholds": [0] }'));
      assert.equal(t.field, 'bands[1].thresholds[0]');
      assert.equal(t.line, 4);
      const a = configError(`{
  "bands": [
    { "workflow": "background_automation", "allocated_usd": 50,
      "escalation": [
        { "estimate_at_least_usd": 5, "action": "explode" } ] }
  ]
}`);
      assert.equal(a.field, 'bands[0].escalation[0].action');
      assert.equal(a.line, 5);
    });

    it('an empty role or developer (it would make an invalid document)', () => {
      const e = configError('{\n  "role": "",\n  "bands": []\n}');
      assert.equal(e.line, 2);
      assert.equal(e.field, 'role');
      assert.match(e.message, /role: a role id such as platform_engineer, or leave the field out$/);
      assert.equal(configError('{"developer": ""}').field, 'developer');
    });

    it('a wrong type at the top', () => {
      const e = configError('{\n  "bands": {"workflow": "review"}\n}');
      assert.equal(e.field, 'bands');
      assert.equal(e.line, 2);
      assert.equal(configError('[]').field, '(root)');
    });

    it('a JSON syntax error names its line', () => {
      const e = configError(
        '{\n  "currency": "USD",\n  "bands": [\n    { "workflow": "review", "allocated_usd": 5, }\n  ]\n}',
      );
      assert.equal(e.line, 4);
      assert.equal(e.field, undefined);
      assert.match(e.message, /^config\.json line 4: not valid JSON \(column \d+: expected a quoted property name\)$/);
    });

    it('settings without line numbers still name the field', () => {
      assert.throws(
        () => validateLocalConfig({ bands: [{ workflow: 'review', allocated_usd: 'x' }] }, 'settings'),
        (e: unknown) =>
          e instanceof LocalConfigError &&
          e.line === undefined &&
          e.message === 'settings, bands[0].allocated_usd: expected an amount such as 19 or 12.50',
      );
    });
  });
});

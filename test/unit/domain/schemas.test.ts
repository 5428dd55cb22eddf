import assert from 'node:assert/strict';
import type { z } from 'zod';
import {
  BandSchema,
  BandsDocumentSchema,
  describeZodError,
  formatPath,
  IncreaseRequestCreateSchema,
  MoneySchema,
  PreflightDecisionSchema,
  PreflightRequestSchema,
  ProblemSchema,
  RequestSchema,
  SessionTagBatchSchema,
} from '../../../src/domain/schemas';

// §4 of docs/contract/bands-api-v1.md, copied verbatim (esbuild bundles the JSON into the test)
import contractExample from '../../fixtures/domain/contractExample.json';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A fresh deep copy for each case to break. */
const example = (): Json => structuredClone(contractExample) as Json;

function errorOf(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, 'expected the value to be rejected');
  return describeZodError(result.error!);
}

describe('schemas (Bands API v1)', () => {
  describe('BandsDocumentSchema', () => {
    it("accepts the contract's example document unchanged", () => {
      const doc = example();
      const parsed = BandsDocumentSchema.parse(doc);
      assert.equal(parsed.bands.length, 2);
      assert.equal(parsed.bands[0]!.used.amount_micros, 118_250_000);
      assert.equal(parsed.bands[0]!.period.start, '2026-11-01T00:00:00+01:00');
      assert.equal(parsed.seats[0]!.included_quotas![0]!.used, 212.4);
      assert.equal(parsed.escalation.rules[0]!.when!.estimate_at_least!.amount_micros, 20_000_001);
      assert.deepEqual(parsed, doc, 'nothing of the example is dropped or changed');
    });

    it('names the JSON path of a float in amount_micros', () => {
      const doc = example();
      doc.bands[0].allocated.amount_micros = 150.5;
      const message = errorOf(BandsDocumentSchema, doc);
      assert.match(message, /^bands\[0\]\.allocated\.amount_micros: /);
    });

    it('names the path of a wrong type, a missing field and a bad date', () => {
      const doc = example();
      doc.bands[1].used.amount_micros = '12000000';
      assert.match(errorOf(BandsDocumentSchema, doc), /^bands\[1\]\.used\.amount_micros: .*number/);
      const missing = example();
      delete missing.bands[0].period;
      assert.match(errorOf(BandsDocumentSchema, missing), /^bands\[0\]\.period: /);
      const noDev = example();
      delete noDev.developer;
      assert.match(errorOf(BandsDocumentSchema, noDev), /^developer: /);
      const badDate = example();
      badDate.generated_at = '28 Nov 2026';
      assert.match(errorOf(BandsDocumentSchema, badDate), /^generated_at: /);
      const badCurrency = example();
      badCurrency.seats[0].cost.currency = 'usd';
      assert.match(
        errorOf(BandsDocumentSchema, badCurrency),
        /^seats\[0\]\.cost\.currency: an ISO 4217 code such as USD/,
      );
      const badThreshold = example();
      badThreshold.bands[0].thresholds[1].percent = 0;
      assert.match(errorOf(BandsDocumentSchema, badThreshold), /^bands\[0\]\.thresholds\[1\]\.percent: /);
    });

    it('rejects a non-object root and reports it as (root)', () => {
      assert.match(errorOf(BandsDocumentSchema, []), /^\(root\): /);
      assert.match(errorOf(BandsDocumentSchema, null), /^\(root\): /);
    });

    it('lists several failures in one line, at most five', () => {
      const doc = example();
      for (const band of doc.bands) band.used.amount_micros = 0.5;
      doc.generated_at = 'yesterday';
      const message = errorOf(BandsDocumentSchema, doc);
      assert.equal(message.split('; ').length, 3);
      assert.doesNotMatch(message, /\n/);
      const many = example();
      many.bands = Array.from({ length: 8 }, () => ({ ...many.bands[1], status: 'meh' }));
      assert.equal(errorOf(BandsDocumentSchema, many).split('; ').length, 5);
    });

    it('rejects money that is not integer safe micros', () => {
      for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', null]) {
        assert.equal(MoneySchema.safeParse({ currency: 'USD', amount_micros: bad }).success, false, String(bad));
      }
      assert.equal(
        MoneySchema.safeParse({ currency: 'USD', amount_micros: -5 }).success,
        true,
        'remaining may be negative',
      );
      assert.equal(MoneySchema.safeParse({ currency: 'USD', amount_micros: Number.MAX_SAFE_INTEGER }).success, true);
    });

    it('strips unknown keys (additive evolution) instead of failing', () => {
      const doc = example();
      doc.future_field = { anything: 1 };
      doc.bands[0].future_band_field = true;
      const parsed = BandsDocumentSchema.parse(doc) as Json;
      assert.equal(parsed.future_field, undefined);
      assert.equal(parsed.bands[0].future_band_field, undefined);
    });
  });

  describe('open and closed enums', () => {
    it('open: workflow, provider, vendor, reason_code and outcome kind accept values from a newer server', () => {
      const doc = example();
      doc.bands[0].workflow = 'pair_programming_v2';
      doc.bands[0].sources[0].provider = 'some_new_gateway';
      doc.seats[0].vendor = 'jetbrains';
      doc.escalation.rules[0].applies_to = ['security_review'];
      const parsed = BandsDocumentSchema.parse(doc);
      assert.equal(parsed.bands[0]!.workflow, 'pair_programming_v2');
      assert.equal(parsed.bands[0]!.sources![0]!.provider, 'some_new_gateway');
      assert.equal(parsed.seats[0]!.vendor, 'jetbrains');
      assert.equal(
        PreflightDecisionSchema.safeParse({
          decision: 'allow',
          reason_code: 'quiet_hours',
          reason: 'Quiet.',
          valid_until: '2026-11-28T21:05:00Z',
        }).success,
        true,
      );
      const create = {
        band_id: 'b_deep_2026_11',
        requested: { delta: { currency: 'USD', amount_micros: 50_000_000 } },
        scope: 'current_period',
        justification: 'Migration of the billing service needs more agent time.',
        outcome: { kind: 'fewer_flaky_tests' },
      };
      assert.equal(IncreaseRequestCreateSchema.safeParse(create).success, true);
    });

    it('open enums still refuse an empty string', () => {
      const doc = example();
      doc.bands[0].workflow = '';
      assert.match(errorOf(BandsDocumentSchema, doc), /^bands\[0\]\.workflow: /);
    });

    it('closed: status, enforcement and decision refuse unknown values, naming the path', () => {
      const status = example();
      status.bands[0].status = 'fine';
      assert.match(errorOf(BandsDocumentSchema, status), /^bands\[0\]\.status: /);
      const enforcement = example();
      enforcement.bands[1].enforcement = 'strict';
      assert.match(errorOf(BandsDocumentSchema, enforcement), /^bands\[1\]\.enforcement: /);
      assert.match(
        errorOf(PreflightDecisionSchema, {
          decision: 'maybe',
          reason_code: 'x',
          reason: 'r',
          valid_until: '2026-11-28T21:05:00Z',
        }),
        /^decision: /,
      );
      const action = example();
      action.escalation.rules[2].action = 'shrug';
      assert.match(errorOf(BandsDocumentSchema, action), /^escalation\.rules\[2\]\.action: /);
    });
  });

  describe('other payloads', () => {
    it('Band: temporary_increase may be null, absent or an amount with an end', () => {
      const band = example().bands[1];
      assert.equal(BandSchema.safeParse({ ...band, temporary_increase: null }).success, true);
      assert.equal(
        BandSchema.safeParse({
          ...band,
          temporary_increase: {
            amount: { currency: 'USD', amount_micros: 10_000_000 },
            until: '2026-11-30T00:00:00Z',
            request_id: 'req_1',
          },
        }).success,
        true,
      );
      assert.match(
        errorOf(BandSchema, { ...band, temporary_increase: { amount: { currency: 'USD', amount_micros: 1 } } }),
        /^temporary_increase\.until: /,
      );
    });

    it('PreflightRequest needs a UUID run id and an estimate with a cost', () => {
      const ok = {
        client_run_id: '0190f3c4-1b2a-7c3d-8e4f-5a6b7c8d9e0f',
        workflow: 'background_automation',
        estimate: { cost: { currency: 'USD', amount_micros: 3_000_000 } },
      };
      assert.equal(PreflightRequestSchema.safeParse(ok).success, true);
      assert.match(errorOf(PreflightRequestSchema, { ...ok, client_run_id: 'run-1' }), /^client_run_id: /);
      assert.match(errorOf(PreflightRequestSchema, { ...ok, estimate: {} }), /^estimate\.cost: /);
      assert.match(
        errorOf(PreflightRequestSchema, { ...ok, estimate: { cost: ok.estimate.cost, basis: 'vibes' } }),
        /^estimate\.basis: /,
      );
    });

    it('IncreaseRequestCreate: exactly one of new_allocated or delta, a justification of 20+ characters, until with until_date', () => {
      const base = {
        band_id: 'b1',
        requested: { delta: { currency: 'USD', amount_micros: 1 } },
        scope: 'until_date',
        until: '2026-12-15',
        justification: 'Twenty characters at the least.',
        outcome: { kind: 'faster_review' },
      };
      assert.equal(IncreaseRequestCreateSchema.safeParse(base).success, true);
      assert.match(
        errorOf(IncreaseRequestCreateSchema, { ...base, requested: {} }),
        /^requested: exactly one of new_allocated or delta/,
      );
      assert.match(
        errorOf(IncreaseRequestCreateSchema, {
          ...base,
          requested: { delta: base.requested.delta, new_allocated: base.requested.delta },
        }),
        /^requested: /,
      );
      assert.match(errorOf(IncreaseRequestCreateSchema, { ...base, justification: 'too short' }), /^justification: /);
      const { until: _until, ...noUntil } = base;
      assert.match(errorOf(IncreaseRequestCreateSchema, noUntil), /^until: until is required with scope until_date/);
      assert.match(errorOf(IncreaseRequestCreateSchema, { ...base, scope: 'forever' }), /^scope: /);
    });

    it('SessionTagBatch: 1..500 items, at most 16 labels', () => {
      const tag = {
        id: '0190f3c4-1b2a-7c3d-8e4f-5a6b7c8d9e0f',
        workflow: 'review',
        started_at: '2026-11-28T09:00:00Z',
        ended_at: null,
      };
      assert.equal(SessionTagBatchSchema.safeParse({ items: [tag] }).success, true);
      assert.match(errorOf(SessionTagBatchSchema, { items: [] }), /^items: /);
      assert.match(errorOf(SessionTagBatchSchema, { items: Array.from({ length: 501 }, () => tag) }), /^items: /);
      const labels = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
      assert.match(
        errorOf(SessionTagBatchSchema, { items: [{ ...tag, labels }] }),
        /^items\[0\]\.labels: at most 16 labels/,
      );
    });

    it('Problem and Request parse their minimal forms', () => {
      assert.equal(ProblemSchema.safeParse({ type: 'about:blank', title: 'Not found', status: 404 }).success, true);
      assert.match(errorOf(ProblemSchema, { type: 'about:blank', title: 'x', status: '404' }), /^status: /);
      const req = {
        id: 'req_1',
        kind: 'band_increase',
        status: 'pending',
        created_at: '2026-11-28T09:00:00Z',
        updated_at: '2026-11-28T09:00:00Z',
        resolution: null,
      };
      assert.equal(RequestSchema.safeParse(req).success, true);
      assert.match(errorOf(RequestSchema, { ...req, status: 'lost' }), /^status: /);
    });
  });

  describe('formatPath', () => {
    it('writes array indexes in brackets and keys with dots', () => {
      assert.equal(formatPath([]), '(root)');
      assert.equal(formatPath(['bands', 0, 'allocated', 'amount_micros']), 'bands[0].allocated.amount_micros');
      assert.equal(formatPath([3, 'id']), '[3].id');
      assert.equal(formatPath(['a', 0, 1]), 'a[0][1]');
    });
  });
});

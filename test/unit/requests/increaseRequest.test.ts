import assert from 'node:assert/strict';
import {
  deltaOf,
  effectiveWindow,
  parseAmount,
  resolutionMessage,
  roundUpAmount,
  suggestedDeltaMicros,
  toIncreaseRequest,
  validateJustification,
  validateUntilDate,
} from '../../../src/domain/increaseRequest';
import { IncreaseRequestCreateSchema, type Band } from '../../../src/domain/schemas';
import { makeBand } from '../domain/makeBand';

const NOW = new Date('2026-11-21T00:00:00Z'); // two thirds of November

function band(used: number, allocated = 200_000_000): Band {
  return makeBand({
    id: 'b_deep',
    workflow: 'deep_coding',
    used,
    allocated,
    thresholds: [{ percent: 80, severity: 'warn' }],
  });
}

describe('increase requests', () => {
  it('rounds suggestions up to amounts a person asks for', () => {
    assert.equal(roundUpAmount(1), 5_000_000);
    assert.equal(roundUpAmount(41_000_000), 45_000_000);
    assert.equal(roundUpAmount(100_000_000), 100_000_000);
    assert.equal(roundUpAmount(101_000_000), 110_000_000);
    assert.equal(roundUpAmount(1_234_000_000), 1_250_000_000);
  });

  it('suggests the forecast overage for the period', () => {
    // $160 used at 20/30 of the month → forecast $240 → overage $40
    assert.equal(suggestedDeltaMicros(band(160_000_000), NOW), 40_000_000);
    // already over: at least what is over
    assert.equal(suggestedDeltaMicros(band(230_000_000), NOW), 150_000_000);
    // on track: one step
    assert.equal(suggestedDeltaMicros(band(10_000_000), NOW), 5_000_000);
  });

  it('validates amounts, dates and the justification', () => {
    assert.deepEqual(parseAmount('$1,250.50'), { micros: 1_250_500_000 });
    assert.ok('error' in parseAmount('0'));
    assert.ok('error' in parseAmount('ten'));
    assert.equal(validateUntilDate('2026-12-15', NOW), undefined);
    assert.match(validateUntilDate('2026-11-01', NOW) ?? '', /future/);
    assert.match(validateUntilDate('2026-02-30', NOW) ?? '', /calendar/);
    assert.match(validateUntilDate('2028-01-01', NOW) ?? '', /year/);
    assert.match(validateJustification('too short') ?? '', /at least 20/);
    assert.equal(validateJustification('x'.repeat(20)), undefined);
    assert.match(validateJustification('x'.repeat(2001)) ?? '', /At most 2000/);
  });

  it('builds a body the contract accepts, for a delta and for a new allocation', () => {
    const common = {
      band: band(160_000_000),
      scope: 'until_date' as const,
      until: '2026-12-15',
      outcome: { kind: 'faster_review', metric: 'PR review turnaround (h)', baseline: 30, target: 12 },
      justification: '  Migrating the payment service needs deep sessions.  ',
    };
    const delta = toIncreaseRequest({ ...common, mode: 'delta', amountMicros: 40_000_000 });
    assert.ok(IncreaseRequestCreateSchema.safeParse(delta).success);
    assert.deepEqual(delta.requested, { delta: { currency: 'USD', amount_micros: 40_000_000 } });
    assert.equal(delta.justification, 'Migrating the payment service needs deep sessions.');
    const next = toIncreaseRequest({
      ...common,
      mode: 'new_allocated',
      amountMicros: 250_000_000,
      scope: 'next_period',
    });
    assert.equal(next.until, undefined);
    assert.equal(deltaOf(next, band(0)), 50_000_000);
  });

  it('places the increase in time by its scope', () => {
    const b = band(0);
    assert.deepEqual(effectiveWindow('current_period', b, undefined, NOW), {
      from: NOW.toISOString(),
      until: '2026-12-01T00:00:00Z',
    });
    const next = effectiveWindow('next_period', b, undefined, NOW);
    assert.equal(Date.parse(next.from), Date.parse('2026-12-01T00:00:00Z'));
    assert.equal(Date.parse(next.until), Date.parse('2027-01-01T00:00:00Z'));
  });

  it('says who decided and the note, on approval and denial', () => {
    const base = {
      id: 'r1',
      kind: 'band_increase',
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
      band_id: 'b_deep',
    };
    assert.equal(
      resolutionMessage({
        ...base,
        status: 'approved',
        resolution: {
          decided_by: { display_name: 'Lee' },
          approved: { currency: 'USD', amount_micros: 40_000_000 },
          effective_until: '2026-12-01T00:00:00Z',
          note: 'ok for the migration',
        },
      }),
      'Increase request for b_deep approved by Lee ($40.00) until 2026-12-01. Note: “ok for the migration”',
    );
    assert.equal(
      resolutionMessage({ ...base, status: 'denied', resolution: { note: 'use the research band' } }),
      'Increase request for b_deep denied. Note: “use the research band”',
    );
    assert.equal(resolutionMessage({ ...base, status: 'pending' }), undefined);
  });
});

import assert from 'node:assert/strict';
import { bandRows, gaugeText } from '../../../src/domain/format';
import { gaugeFor, wholeBill } from '../../../src/domain/gauge';
import type { Band } from '../../../src/domain/schemas';
import { makeBand } from './makeBand';

const NOW = new Date('2026-11-21T00:00:00Z');

function allBand(id: string, used: number, allocated: number, interval = 'P1M', end = '2026-12-01T00:00:00Z'): Band {
  return makeBand({
    id,
    workflow: 'all',
    used,
    allocated,
    enforcement: 'hard',
    thresholds: [{ percent: 85, severity: 'warn' }],
    period: { interval, start: '2026-11-01T00:00:00Z', end },
  });
}

describe('adapter-shaped bands', () => {
  it('counts nested `all` layers (key inside user inside team) once: the first, binding one', () => {
    const bill = wholeBill(
      [],
      [
        allBand('key', 12_350_000, 50_000_000),
        allBand('user', 88_500_000, 200_000_000),
        allBand('team', 900_000_000, 5_000_000_000),
      ],
    );
    assert.equal(bill.usageMicros, 12_350_000);
    assert.equal(bill.usageAllocatedMicros, 50_000_000);
  });

  it('says a lifetime budget never resets, instead of counting 354,000 days', () => {
    const band = allBand('or', 3_000_000, 10_000_000, 'lifetime', '2999-01-01T00:00:00.000Z');
    const g = gaugeFor(band, NOW);
    assert.equal(g.resets, false);
    assert.equal(gaugeText(g, { mode: 'full', display: 'money' }), '30% · $3.00/$10 · no reset');
    assert.equal(bandRows(band, g).find((r) => r.label === 'Resets')?.value, 'never (a lifetime budget)');
    assert.equal(g.forecastCrosses, false);
  });
});

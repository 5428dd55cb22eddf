// Which threshold crossings the developer has already been told about: once per band, per period, per
// threshold, and never again in a period they snoozed. The memory is a plain list of keys to persist.
import { reachesPercent } from './money';
import type { Band, Threshold } from './schemas';

export interface Crossing {
  band: Band;
  threshold: Threshold | { percent: number; severity: 'exceeded' };
  key: string;
}

function periodKey(band: Band): string {
  return `${band.id}|${band.period.start}`;
}

export function snoozeKey(band: Band): string {
  return `${periodKey(band)}|snooze`;
}

/**
 * The highest newly crossed threshold per band (one notification per band per refresh, even when a jump
 * crosses two thresholds), and the keys to remember so none repeats. Memory of old periods is dropped.
 */
export function newCrossings(
  bands: readonly Band[],
  remembered: readonly string[],
): { crossings: Crossing[]; memory: string[] } {
  const current = new Set(bands.map(periodKey));
  const memory = new Set(remembered.filter((key) => current.has(key.split('|').slice(0, 2).join('|'))));
  const crossings: Crossing[] = [];
  for (const band of bands) {
    const used = band.used.amount_micros;
    const allocated = band.allocated.amount_micros;
    const reached: Crossing[] = [];
    for (const t of [...band.thresholds].sort((a, b) => a.percent - b.percent)) {
      if (t.severity === 'info' || !reachesPercent(used, allocated, t.percent)) continue;
      reached.push({ band, threshold: t, key: `${periodKey(band)}|${t.percent}` });
    }
    if (used > allocated)
      reached.push({ band, threshold: { percent: 100, severity: 'exceeded' }, key: `${periodKey(band)}|exceeded` });
    const fresh = reached.filter((c) => !memory.has(c.key));
    for (const c of reached) memory.add(c.key);
    if (fresh.length > 0 && !memory.has(snoozeKey(band))) crossings.push(fresh[fresh.length - 1]!);
  }
  return { crossings, memory: [...memory] };
}

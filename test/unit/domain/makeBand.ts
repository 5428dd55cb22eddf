// A valid Band for tests: amounts in micros, everything else overridable. Tests build the case they
// need from it instead of sharing one fixture whose numbers nobody remembers.
import type { Band } from '../../../src/domain/schemas';

export interface BandSpec {
  id?: string;
  workflow?: string;
  label?: string;
  allocated: number;
  used?: number;
  reserved?: number;
  /** default allocated − used − reserved */
  remaining?: number;
  currency?: string;
  enforcement?: Band['enforcement'];
  status?: Band['status'];
  period?: Band['period'];
  thresholds?: Band['thresholds'];
  temporary_increase?: Band['temporary_increase'];
}

export const NOVEMBER_UTC = {
  interval: 'P1M',
  start: '2026-11-01T00:00:00Z',
  end: '2026-12-01T00:00:00Z',
  timezone: 'UTC',
};

export function makeBand(spec: BandSpec): Band {
  const currency = spec.currency ?? 'USD';
  const used = spec.used ?? 0;
  const reserved = spec.reserved ?? 0;
  const m = (amount_micros: number) => ({ currency, amount_micros });
  return {
    id: spec.id ?? `b_${spec.workflow ?? 'deep_coding'}`,
    workflow: spec.workflow ?? 'deep_coding',
    ...(spec.label !== undefined ? { label: spec.label } : {}),
    period: spec.period ?? NOVEMBER_UTC,
    allocated: m(spec.allocated),
    used: m(used),
    ...(spec.reserved !== undefined ? { reserved: m(reserved) } : {}),
    remaining: m(spec.remaining ?? spec.allocated - used - reserved),
    enforcement: spec.enforcement ?? 'soft',
    thresholds: spec.thresholds ?? [
      { percent: 80, severity: 'warn' },
      { percent: 100, severity: 'critical' },
    ],
    status: spec.status ?? 'ok',
    as_of: '2026-11-10T00:00:00Z',
    ...(spec.temporary_increase !== undefined ? { temporary_increase: spec.temporary_increase } : {}),
  };
}

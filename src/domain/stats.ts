// Order statistics for the spend figures (integer micros): the median, the median absolute deviation
// and nearest-rank percentiles. One behaviour everywhere: the input need not be sorted, it is not
// changed, and an empty input is a bug in the caller (RangeError), never a silent 0.

function sortedCopy(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new RangeError(`${what} of no values`);
  return [...values].sort((a, b) => a - b);
}

/** The middle value; for an even count the exact mean of the middle two (may end in .5). */
export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values, 'median');
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation from `center` (default: the median): a spread that extreme values do not drag. */
export function medianAbsoluteDeviation(values: readonly number[], center: number = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** Nearest-rank percentile (`percent` 0..100): always one of the values, never an interpolation. */
export function percentile(values: readonly number[], percent: number): number {
  const sorted = sortedCopy(values, 'percentile');
  // whole percents stay exact: (7 / 100) × 100 is 7.000000000000001 and would take rank 8
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

// ISO 8601 durations as the contract uses them (PT2H, P1D, PT30M, P1W); months and years are refused
// because their length depends on the calendar.
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration, or undefined when it is not one we can measure. */
export function isoDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, w, d, h, m, s] = match;
  return (
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(m ?? 0) * 60_000 +
    Math.round(Number(s ?? 0) * 1000)
  );
}

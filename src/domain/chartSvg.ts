// Small helpers shared by the SVG charts: text escaping (labels come from servers and log files) and
// compact numbers for coordinates (two decimals are finer than a pixel and keep a year of points small).
import { htmlText } from './untrustedText';

/** Escapes text for SVG/HTML element content and double-quoted attribute values: the HTML sink of untrustedText.ts. */
export function escapeXml(text: string): string {
  return htmlText(text, Number.POSITIVE_INFINITY);
}

/** A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25"). */
export function svgNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

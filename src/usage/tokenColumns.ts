// Where each token count sits in the arrays that hold several per request or rollup (parsed
// records, dedupe entries, rollup sums, the index): one place, so that no hot loop writes `n * 4 + 2`.

export const TOKEN_INPUT = 0;
export const TOKEN_OUTPUT = 1;
export const TOKEN_CACHE_READ = 2;
/** cache writes, all of them (5-minute and 1-hour) */
export const TOKEN_CACHE_WRITE = 3;
/** the part of the cache writes made with the 1-hour lifetime (Anthropic bills it at 2x input, the 5-minute ones at 1.25x) */
export const TOKEN_CACHE_WRITE_1H = 4;
/** token counts per request or rollup */
export const TOKEN_WORDS = 5;

/** The tokens of a request whose counts start at `at` (input, output, cache read and write: the 1-hour writes are among the writes), for the largest-line rule. */
export function tokenSum(t: ArrayLike<number>, at: number): number {
  return t[at + TOKEN_INPUT]! + t[at + TOKEN_OUTPUT]! + t[at + TOKEN_CACHE_READ]! + t[at + TOKEN_CACHE_WRITE]!;
}

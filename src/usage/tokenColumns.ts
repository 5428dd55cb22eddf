// Where each token count sits in the arrays that hold several per request or rollup (parsed
// records, dedupe entries, rollup sums, the index): one place, so that no hot loop writes `n * 4 + 2`.

export const TOKEN_INPUT = 0;
export const TOKEN_OUTPUT = 1;
export const TOKEN_CACHE_READ = 2;
/** cache writes (all of them; the 1-hour part is also counted apart where the layout has it) */
export const TOKEN_CACHE_WRITE = 3;
/** token counts per request or rollup */
export const TOKEN_WORDS = 4;

/** The sum of the token counts that start at `at` (a request's size, for the largest-line rule). */
export function tokenSum(t: ArrayLike<number>, at: number): number {
  let n = 0;
  for (let k = 0; k < TOKEN_WORDS; k++) n += t[at + k]!;
  return n;
}

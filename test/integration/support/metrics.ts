// Figures a test measures inside VS Code (activate() time, …), collected into the results file the
// driver prints, so they are reported from the real host and not from a stopwatch outside it.

// esbuild bundles every test file and the index separately, so each has its own copy of this module:
// the figures live on globalThis to be shared between those copies.
const KEY = Symbol.for('spendBand.test.metrics');

function store(): Record<string, number> {
  const holder = globalThis as { [KEY]?: Record<string, number> };
  holder[KEY] ??= {};
  return holder[KEY];
}

/** Records a named figure (milliseconds unless the name says otherwise) and logs it. */
export function recordMetric(name: string, value: number): void {
  store()[name] = value;
  console.log(`metric ${name}=${value}`);
}

/** The figures recorded so far (read once by the test index). */
export function takeMetrics(): Record<string, number> {
  return { ...store() };
}

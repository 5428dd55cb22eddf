// Turns the test index's results file (test/integration/index.ts, TestResults) into the lines the
// drivers print: `ok` / `FAIL` / `skip` per test, the figures measured inside VS Code, and the closing
// `N passed, N failed[, N skipped]` line.

function indent(text, prefix = '       ') {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** Returns { lines, summary }; results may be null (no results file), which counts nothing. */
export function formatResults(results) {
  if (!results) return { lines: [], summary: '0 passed, 0 failed' };
  const lines = [];
  if (results.host)
    lines.push(
      `host: ${results.host.appName} ${results.host.version} (${results.host.uiKind}${results.host.remoteName ? `, remote ${results.host.remoteName}` : ''})`,
    );
  for (const test of results.tests) {
    const took = typeof test.durationMs === 'number' ? ` (${test.durationMs} ms)` : '';
    if (test.state === 'passed') lines.push(`ok   ${test.fullTitle}${took}`);
    else if (test.state === 'pending') lines.push(`skip ${test.fullTitle}`);
    else {
      lines.push(`FAIL ${test.fullTitle}${took}`);
      const stack = test.error?.stack ?? test.error?.message ?? 'no error message';
      // The stack starts with the message; keep it short: message + the first frames in our code.
      const shown = stack
        .split('\n')
        .filter((line, i) => i === 0 || !line.includes('node_modules'))
        .slice(0, 8)
        .join('\n');
      lines.push(indent(shown));
    }
  }
  for (const [name, value] of Object.entries(results.metrics ?? {})) lines.push(`metric ${name} = ${value}`);
  const skipped = results.pending > 0 ? `, ${results.pending} skipped` : '';
  return { lines, summary: `${results.passed} passed, ${results.failed} failed${skipped}` };
}

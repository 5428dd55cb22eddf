/** The reference server the driver started for this run, with the demo developer's token. */
export interface TestEndpoint {
  url: string;
  token: string;
  /** The server's SQLite file, for `spend-band admin … --db`. */
  db: string;
}

/**
 * Reads SPEND_BAND_TEST_ENDPOINT / _TOKEN / _DB, set by the host driver. Throws, with what to do, when
 * the driver started no server (e.g. a build whose CLI has no `server` command yet): call it in
 * `before()` so the suite fails (or `this.skip()`s, if you catch it) with that message.
 */
export function testEndpoint(): TestEndpoint {
  const url = process.env.SPEND_BAND_TEST_ENDPOINT ?? '';
  const token = process.env.SPEND_BAND_TEST_TOKEN ?? '';
  const db = process.env.SPEND_BAND_TEST_DB ?? '';
  if (!url || !token || !db) {
    throw new Error(
      'no reference server for this run (SPEND_BAND_TEST_ENDPOINT/TOKEN/DB are empty): run the suite through "npm run test:integration", which starts "spend-band server --demo"; if it printed a warning, the server is not in this build yet',
    );
  }
  return { url, token, db };
}

/** True when the driver started a reference server for this run. */
export function hasTestEndpoint(): boolean {
  return Boolean(
    process.env.SPEND_BAND_TEST_ENDPOINT && process.env.SPEND_BAND_TEST_TOKEN && process.env.SPEND_BAND_TEST_DB,
  );
}

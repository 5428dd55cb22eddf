// Context keys, one constant each (used in package.json `when` clauses). No `vscode` import here.
export const CONTEXT_KEYS = {
  /** a source is configured (endpoint URL, or local bands) */
  configured: 'spendBand.configured',
  /** the current source can take increase requests (endpoint with the capability, or local ledger) */
  canRequestIncrease: 'spendBand.canRequestIncrease',
  /** an endpoint URL is set and a token is stored */
  connected: 'spendBand.connected',
  /** the last refresh failed and stale data is shown */
  stale: 'spendBand.stale',
} as const;

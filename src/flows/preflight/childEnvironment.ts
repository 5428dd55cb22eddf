// The environment of a program started behind a pre-flight (`spend-band run`, the spendBand task
// type, "Run Agent with Pre-flight…"). Two rules:
//
// 1. The guarded program never gets the Bands API token (issue #20 finding 6). With it, an agent — or
//    a prompt injection inside one — could file pre-flights and requests, cancel the developer's
//    requests and read their usage. Removed: SPEND_BAND_TOKEN, the variable named by --token-env,
//    any other SPEND_BAND_*TOKEN* variable, and any variable holding the same value as one of those
//    (an `export X=$SPEND_BAND_TOKEN` copy). A `spend-band` command the agent runs itself (the Claude
//    Code hook, the status line) then works from the bands cached on this machine, or with a token
//    the person gives it on purpose.
// 2. The program carries its workflow class, so what it reports through OpenTelemetry is attributed
//    to the right band (issue #15 item 4): OTEL_RESOURCE_ATTRIBUTES gets spendband.workflow=<class>,
//    merged with the attributes already there (ours replaces an earlier spendband.workflow only).
//    SPEND_BAND_WORKFLOW and SPEND_BAND_RUN_ID are set for wrapper scripts.
//
// Pure: the parent environment comes in, a new object goes out.

export type Environment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_TOKEN_VARIABLE = 'SPEND_BAND_TOKEN';
export const WORKFLOW_ATTRIBUTE = 'spendband.workflow';

export interface ChildEnvironmentInput {
  workflow: string;
  runId: string;
  /** the variable the token was read from (--token-env), besides SPEND_BAND_TOKEN */
  tokenVariable?: string | undefined;
}

export function childEnvironment(parent: Environment, input: ChildEnvironmentInput): Record<string, string> {
  const tokenNames = new Set([DEFAULT_TOKEN_VARIABLE, ...(input.tokenVariable ? [input.tokenVariable] : [])]);
  for (const name of Object.keys(parent)) if (/^SPEND_BAND_.*TOKEN/i.test(name)) tokenNames.add(name);
  const secrets = new Set<string>();
  for (const name of tokenNames) {
    const value = parent[name]?.trim();
    if (value && value.length >= 8) secrets.add(value);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || tokenNames.has(name) || secrets.has(value.trim())) continue;
    env[name] = value;
  }
  env.SPEND_BAND_WORKFLOW = input.workflow;
  env.SPEND_BAND_RUN_ID = input.runId;
  env.OTEL_RESOURCE_ATTRIBUTES = mergeResourceAttributes(
    parent.OTEL_RESOURCE_ATTRIBUTES,
    WORKFLOW_ATTRIBUTE,
    input.workflow,
  );
  return env;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES is `key1=value1,key2=value2` with values percent-encoded (OpenTelemetry
 * SDK environment variable spec). Keep every other pair as written; set `key` to `value`.
 */
export function mergeResourceAttributes(existing: string | undefined, key: string, value: string): string {
  const kept = (existing ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0 && pair.split('=', 1)[0]!.trim() !== key);
  kept.push(`${key}=${encodeURIComponent(value)}`);
  return kept.join(',');
}

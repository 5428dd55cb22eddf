// The `spendBand.preflight.*` settings. Until they are in the settings table (settingsTable.ts, see
// /tmp/prompts/preflight-manifest.md) they are read here with the same rule as Config: one zod schema
// per key, an invalid value is logged once and falls back to its default, and in an untrusted
// workspace only the user's own value counts.
import { z } from 'zod';
import * as vscode from 'vscode';
import { AgentPatternSchema, DEFAULT_AGENT_PATTERNS, type AgentPattern } from '../domain/runDecisionAgents';

const PREFLIGHT_SETTINGS = {
  'spendBand.preflight.watchTerminals': { schema: z.boolean(), default: true },
  'spendBand.preflight.agentPatterns': { schema: z.array(AgentPatternSchema).max(50), default: DEFAULT_AGENT_PATTERNS },
  'spendBand.preflight.approvalPollSeconds': { schema: z.number().min(1).max(300), default: 3 },
} as const;

type Key = keyof typeof PREFLIGHT_SETTINGS;

export interface PreflightSettings {
  watchTerminals: boolean;
  agentPatterns: AgentPattern[];
  approvalPollSeconds: number;
}

const reported = new Set<string>();

function read<K extends Key>(key: K, log: vscode.LogOutputChannel): z.infer<(typeof PREFLIGHT_SETTINGS)[K]['schema']> {
  const spec = PREFLIGHT_SETTINGS[key];
  const inspected = vscode.workspace.getConfiguration().inspect(key);
  const raw = vscode.workspace.isTrusted ? vscode.workspace.getConfiguration().get(key) : inspected?.globalValue;
  if (raw === undefined) return spec.default as never;
  const parsed = spec.schema.safeParse(raw);
  if (parsed.success) return parsed.data as never;
  const problem = `${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}; using the default instead.`;
  if (!reported.has(problem)) {
    reported.add(problem);
    log.warn(`Setting ${problem}`);
  }
  return spec.default as never;
}

export function preflightSettings(log: vscode.LogOutputChannel): PreflightSettings {
  return {
    watchTerminals: read('spendBand.preflight.watchTerminals', log),
    agentPatterns: read('spendBand.preflight.agentPatterns', log),
    approvalPollSeconds: read('spendBand.preflight.approvalPollSeconds', log),
  };
}

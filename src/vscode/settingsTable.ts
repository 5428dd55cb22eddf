// Every `spendBand.*` setting, its schema and default: the code side of package.json's
// contributes.configuration (a manifest test keeps the two equal). No `vscode` import here, so plain
// Node tests can read it.
import { z } from 'zod';
import { LocalBandSchema, LocalSeatSchema } from '../domain/localConfig';
import { AgentPatternSchema, DEFAULT_AGENT_PATTERNS } from '../domain/runDecisionAgents';
import { SuggestionRuleSchema } from '../domain/suggestionRules';

const workflowClassSetting = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  label: z.string().max(60).optional(),
  icon: z.string().max(60).optional(),
  description: z.string().max(200).optional(),
});

export const SETTINGS = {
  'spendBand.source': { schema: z.enum(['auto', 'endpoint', 'litellm', 'openrouter', 'local']), default: 'auto' },
  'spendBand.endpoint.url': { schema: z.string().max(2000), default: '' },
  'spendBand.endpoint.allowInsecureHttp': { schema: z.boolean(), default: false },
  'spendBand.refresh.intervalMinutes': { schema: z.number().min(1).max(1440), default: 5 },
  'spendBand.statusBar.mode': { schema: z.enum(['compact', 'full']), default: 'full' },
  'spendBand.statusBar.display': { schema: z.enum(['money', 'percent']), default: 'money' },
  'spendBand.workflow.default': { schema: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), default: 'deep_coding' },
  'spendBand.workflow.classes': {
    schema: z.array(workflowClassSetting).max(50),
    default: [] as z.infer<typeof workflowClassSetting>[],
  },
  'spendBand.workflow.rules': {
    schema: z.array(SuggestionRuleSchema).max(50),
    default: [] as z.infer<typeof SuggestionRuleSchema>[],
  },
  'spendBand.sessions.idleMinutes': { schema: z.number().min(1).max(480), default: 15 },
  'spendBand.privacy.hashRepositoryNames': { schema: z.boolean(), default: true },
  'spendBand.notifications.thresholds': { schema: z.boolean(), default: true },
  'spendBand.local.currency': { schema: z.string().regex(/^[A-Z]{3}$/), default: 'USD' },
  'spendBand.local.timezone': { schema: z.string().max(100), default: '' },
  'spendBand.local.role': { schema: z.string().max(100), default: '' },
  'spendBand.local.seats': {
    schema: z.array(LocalSeatSchema).max(50),
    default: [] as z.infer<typeof LocalSeatSchema>[],
  },
  'spendBand.local.bands': {
    schema: z.array(LocalBandSchema).max(100),
    default: [] as z.infer<typeof LocalBandSchema>[],
  },
  'spendBand.local.perRunCapUsd': { schema: z.number().min(0).nullable(), default: null as number | null },
  'spendBand.usage.enabled': { schema: z.boolean(), default: true },
  'spendBand.usage.claudeDirs': { schema: z.array(z.string().max(1000)).max(20), default: [] as string[] },
  'spendBand.usage.codexDirs': { schema: z.array(z.string().max(1000)).max(20), default: [] as string[] },
  'spendBand.preflight.watchTerminals': { schema: z.boolean(), default: true },
  'spendBand.preflight.agentPatterns': { schema: z.array(AgentPatternSchema).max(50), default: DEFAULT_AGENT_PATTERNS },
  'spendBand.preflight.approvalPollSeconds': { schema: z.number().min(1).max(300), default: 3 },
  'spendBand.reviews.enabled': { schema: z.boolean(), default: true },
  'spendBand.reviews.volatileClasses': {
    schema: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/)).max(50),
    default: ['background_automation', 'deep_coding'] as string[],
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;
export type Settings = { [K in SettingKey]: SettingValue<K> };

/** Settings that decide where data (and the token) goes: never read from a workspace. */
export const MACHINE_SCOPED: readonly SettingKey[] = [
  'spendBand.source',
  'spendBand.endpoint.url',
  'spendBand.endpoint.allowInsecureHttp',
  'spendBand.usage.claudeDirs',
  'spendBand.usage.codexDirs',
  // application scope: the same on every machine and in every window, so a repository cannot switch it off
  'spendBand.privacy.hashRepositoryNames',
];

/** package.json groups the settings in this order (one `contributes.configuration` entry each). */
export const SETTING_GROUPS: readonly { id: string; keys: readonly SettingKey[] }[] = [
  {
    id: 'spendBand.source',
    keys: [
      'spendBand.source',
      'spendBand.endpoint.url',
      'spendBand.endpoint.allowInsecureHttp',
      'spendBand.refresh.intervalMinutes',
    ],
  },
  { id: 'spendBand.statusBar', keys: ['spendBand.statusBar.mode', 'spendBand.statusBar.display'] },
  {
    id: 'spendBand.workflow',
    keys: [
      'spendBand.workflow.default',
      'spendBand.workflow.classes',
      'spendBand.workflow.rules',
      'spendBand.sessions.idleMinutes',
    ],
  },
  {
    id: 'spendBand.local',
    keys: [
      'spendBand.local.bands',
      'spendBand.local.seats',
      'spendBand.local.currency',
      'spendBand.local.timezone',
      'spendBand.local.role',
      'spendBand.local.perRunCapUsd',
    ],
  },
  {
    id: 'spendBand.usage',
    keys: ['spendBand.usage.enabled', 'spendBand.usage.claudeDirs', 'spendBand.usage.codexDirs'],
  },
  {
    id: 'spendBand.preflight',
    keys: [
      'spendBand.preflight.watchTerminals',
      'spendBand.preflight.agentPatterns',
      'spendBand.preflight.approvalPollSeconds',
    ],
  },
  {
    id: 'spendBand.notifications',
    keys: ['spendBand.notifications.thresholds', 'spendBand.reviews.enabled', 'spendBand.reviews.volatileClasses'],
  },
  { id: 'spendBand.privacy', keys: ['spendBand.privacy.hashRepositoryNames'] },
];

/** Validate raw values key by key; an invalid value falls back to its default and is reported. */
export function parseSettings(read: (key: SettingKey) => unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings = {} as Record<SettingKey, unknown>;
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const spec = SETTINGS[key];
    const raw = read(key);
    if (raw === undefined) {
      settings[key] = spec.default;
      continue;
    }
    const result = spec.schema.safeParse(raw);
    if (result.success) settings[key] = result.data;
    else {
      settings[key] = spec.default;
      const issue = result.error.issues[0];
      const path = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      problems.push(`${key}${path}: ${issue?.message ?? 'invalid'}; using the default instead.`);
    }
  }
  return { settings: settings as Settings, problems };
}

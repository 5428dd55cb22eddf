// What a change of each `spendBand.*` setting requires, so the change listener (services.ts) redoes
// only that: `render` draws the status bar and views again from what is on screen, `refetch` asks the
// source for the bands again (where they come from, or the local bands themselves, changed), `rescan`
// reads the agent logs again. No entry (an empty list) means the setting is read where it is used, so
// the next use sees the new value; `reload` means it takes effect in the next window. No `vscode`
// import, so a plain Node test can check it.
import type { SettingKey, Settings } from './settingsTable';

export type SettingEffect = 'render' | 'refetch' | 'rescan' | 'reload';

export const SETTING_EFFECTS: Readonly<Record<SettingKey, readonly SettingEffect[]>> = {
  'spendBand.source': ['refetch'],
  'spendBand.endpoint.url': ['refetch'],
  'spendBand.endpoint.allowInsecureHttp': ['refetch'],
  // the timer is set again by the refetch
  'spendBand.refresh.intervalMinutes': ['refetch'],
  'spendBand.statusBar.mode': ['render'],
  'spendBand.statusBar.display': ['render'],
  // the class a new window starts with
  'spendBand.workflow.default': ['reload'],
  'spendBand.workflow.classes': ['render'],
  'spendBand.workflow.rules': [],
  // the session tracker is built with it
  'spendBand.sessions.idleMinutes': ['reload'],
  'spendBand.privacy.hashRepositoryNames': [],
  'spendBand.notifications.thresholds': [],
  'spendBand.local.currency': ['refetch'],
  'spendBand.local.timezone': ['refetch'],
  'spendBand.local.role': ['refetch'],
  'spendBand.local.seats': ['refetch'],
  'spendBand.local.bands': ['refetch'],
  'spendBand.local.perRunCapUsd': ['refetch'],
  // local bands count the metered usage: read the logs again, then the bands
  'spendBand.usage.enabled': ['rescan', 'refetch'],
  'spendBand.usage.claudeDirs': ['rescan', 'refetch'],
  'spendBand.usage.codexDirs': ['rescan', 'refetch'],
  'spendBand.preflight.watchTerminals': [],
  'spendBand.preflight.agentPatterns': [],
  'spendBand.preflight.approvalPollSeconds': [],
  'spendBand.reviews.enabled': [],
  'spendBand.reviews.volatileClasses': [],
};

export interface SettingsChange {
  /** the settings whose value changed */
  keys: readonly SettingKey[];
  effects: ReadonlySet<SettingEffect>;
}

/** The settings that differ between two readings, and what their change requires. */
export function settingsChange(before: Settings, after: Settings): SettingsChange {
  const keys = (Object.keys(SETTING_EFFECTS) as SettingKey[]).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  return { keys, effects: new Set(keys.flatMap((key) => SETTING_EFFECTS[key])) };
}

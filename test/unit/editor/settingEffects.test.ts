// What a settings change redoes: only the settings whose value changed count, and each brings the
// effects the table gives it (services.ts acts on them).
import assert from 'node:assert/strict';
import { SETTING_EFFECTS, settingsChange } from '../../../src/vscode/settingEffects';
import { parseSettings, SETTINGS, type SettingKey } from '../../../src/vscode/settingsTable';

const defaults = () => parseSettings(() => undefined).settings;

describe('setting effects', () => {
  it('has an entry for every setting of the settings table, and no other', () => {
    assert.deepEqual(Object.keys(SETTING_EFFECTS).sort(), Object.keys(SETTINGS).sort());
  });

  it('a display setting re-renders without asking the source again', () => {
    const change = settingsChange(defaults(), { ...defaults(), 'spendBand.statusBar.mode': 'compact' });
    assert.deepEqual(change.keys, ['spendBand.statusBar.mode']);
    assert.deepEqual([...change.effects], ['render']);
  });

  it('a new endpoint refetches; new log folders rescan and refetch', () => {
    assert.deepEqual(
      [
        ...settingsChange(defaults(), { ...defaults(), 'spendBand.endpoint.url': 'https://budget.example.com' })
          .effects,
      ],
      ['refetch'],
    );
    const dirs = settingsChange(defaults(), { ...defaults(), 'spendBand.usage.claudeDirs': ['/tmp/claude'] });
    assert.deepEqual([...dirs.effects].sort(), ['refetch', 'rescan']);
  });

  it('the same value written again (or an equal array) changes nothing', () => {
    const change = settingsChange(defaults(), { ...defaults(), 'spendBand.local.bands': [] });
    assert.deepEqual(change.keys, []);
    assert.equal(change.effects.size, 0);
  });

  it('a setting read where it is used needs nothing redone', () => {
    const key: SettingKey = 'spendBand.preflight.approvalPollSeconds';
    const change = settingsChange(defaults(), { ...defaults(), [key]: 30 });
    assert.deepEqual(change.keys, [key]);
    assert.equal(change.effects.size, 0);
  });
});

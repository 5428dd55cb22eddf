// A typed facade over `spendBand.*` settings, the only place that reads them: one zod schema per key
// (settingsTable.ts); invalid values are logged and fall back to their defaults. Settings that decide
// where data and the token go are read from the user's (global) scope only, and in an untrusted
// workspace no workspace value is read at all. A change fires with the keys that changed and what they
// require (settingEffects.ts).
import * as vscode from 'vscode';
import { settingsChange, type SettingsChange } from './settingEffects';
import { MACHINE_SCOPED, parseSettings, type SettingKey, type Settings } from './settingsTable';

export class Config implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<SettingsChange>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('spendBand')) this.reread();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reread()),
    );
  }

  get settings(): Settings {
    return this.current;
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.current[key];
  }

  private reread(): void {
    const before = this.current;
    this.current = this.read();
    const change = settingsChange(before, this.current);
    if (change.keys.length > 0) this.emitter.fire(change);
  }

  private read(): Settings {
    const root = vscode.workspace.getConfiguration();
    const trusted = vscode.workspace.isTrusted;
    const { settings, problems } = parseSettings((key) => {
      const inspected = root.inspect(key);
      if (!inspected) return undefined;
      if (MACHINE_SCOPED.includes(key) || !trusted) return inspected.globalValue ?? inspected.defaultValue;
      return root.get(key);
    });
    for (const problem of problems) this.log.warn(`Setting ${problem}`);
    return settings;
  }

  async update<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
    await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

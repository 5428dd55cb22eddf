// A typed facade over `spendBand.*` settings: one zod schema per key (settingsTable.ts); invalid values
// are logged and fall back to their defaults. Settings that decide where data and the token go are read
// from the user's (global) scope only, and in an untrusted workspace no workspace value is read at all.
import * as vscode from 'vscode';
import { MACHINE_SCOPED, parseSettings, type SettingKey, type Settings } from './settingsTable';

export class Config implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<Settings>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('spendBand')) return;
        this.current = this.read();
        this.emitter.fire(this.current);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.current = this.read();
        this.emitter.fire(this.current);
      }),
    );
  }

  get settings(): Settings {
    return this.current;
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.current[key];
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

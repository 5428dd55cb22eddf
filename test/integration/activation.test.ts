// The extension loads in a real VS Code, activates, registers what package.json contributes, and its
// settings read back with their declared defaults.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, spendBandExtension, testHooks } from './support/extensionApi';
import { recordMetric } from './support/metrics';

interface Manifest {
  activationEvents?: string[];
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    configuration?: ManifestConfiguration | ManifestConfiguration[];
  };
}

interface ManifestConfiguration {
  properties?: Record<string, { default?: unknown }>;
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(spendBandExtension().extensionPath, 'package.json'), 'utf8')) as Manifest;
}

function contributedSettings(): [string, { default?: unknown }][] {
  const configuration = manifest().contributes?.configuration;
  const sections = configuration === undefined ? [] : Array.isArray(configuration) ? configuration : [configuration];
  return sections.flatMap((section) => Object.entries(section.properties ?? {}));
}

describe('activation', () => {
  it('activates in this VS Code and reports how long activate() took', async () => {
    const extension = spendBandExtension();
    const started = Date.now();
    const api = await extensionApi();
    recordMetric('activateCallMs', Date.now() - started);
    const hooks = await testHooks();
    assert.equal(extension.isActive, true, 'the extension did not become active');
    // SPEND_BAND_FORCE_FAIL=1 proves, end to end, that a failing assertion fails the run (exit 1).
    if (process.env.SPEND_BAND_FORCE_FAIL === '1') {
      assert.equal(1 + 1, 3, 'deliberate failure: SPEND_BAND_FORCE_FAIL=1 is set');
    }
    assert.ok(api, 'activate() returned no API object');
    assert.ok(
      !('activationMs' in (api as object)) && !('inspect' in (api as object)),
      'the public API carries test hooks',
    );
    assert.equal(typeof (api as { checkRun?: unknown }).checkRun, 'function', 'the public API offers checkRun');
    assert.ok(hooks, 'no test hooks: the spendBand.test.hooks command must answer in ExtensionMode.Test');
    const ms = hooks.activationMs;
    assert.ok(
      typeof ms === 'number' && Number.isFinite(ms) && ms >= 0,
      `the API object's activationMs is ${String(ms)}; expected milliseconds`,
    );
    recordMetric('activationMs', Math.round(ms * 10) / 10);
    console.log(`activate() took ${ms} ms inside ${vscode.env.appName} ${vscode.version}`);
  });

  it('activates on startup, not on "*"', () => {
    const events = manifest().activationEvents ?? [];
    assert.ok(!events.includes('*'), 'activationEvents contains "*": use onStartupFinished (HOUSE-STYLE.md)');
    assert.ok(
      events.includes('onStartupFinished'),
      `activationEvents is ${JSON.stringify(events)}; expected onStartupFinished`,
    );
  });

  it('registers every command that package.json contributes', async () => {
    const contributed = (manifest().contributes?.commands ?? []).map((c) => c.command);
    await extensionApi();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((command) => !registered.has(command));
    assert.deepEqual(
      missing,
      [],
      `contributed in package.json but not registered by activate(): ${missing.join(', ')}`,
    );
    for (const command of contributed)
      assert.match(command, /^spendBand\./, `command ${command} does not start with spendBand.`);
  });

  it('reads every spendBand setting with the default package.json declares', async () => {
    await extensionApi();
    const settings = contributedSettings();
    const configuration = vscode.workspace.getConfiguration();
    for (const [key, declared] of settings) {
      assert.match(key, /^spendBand\./, `setting ${key} does not start with spendBand.`);
      const inspected = configuration.inspect(key);
      assert.ok(inspected, `VS Code does not know the setting ${key}`);
      if ('default' in declared) {
        assert.deepEqual(inspected.defaultValue, declared.default, `default of ${key}`);
        // Nothing sets it in this run, so reading it yields the default.
        assert.deepEqual(configuration.get(key), declared.default, `value of ${key}`);
      }
    }
  });
});

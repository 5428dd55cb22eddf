// package.json against the code tables: every contributed command and setting exists in the code and
// the other way round; views and context keys used in `when` clauses are known.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../src/vscode/commandTable';
import { CONTEXT_KEYS } from '../../../src/vscode/contextKeys';
import { MACHINE_SCOPED, SETTINGS } from '../../../src/vscode/settingsTable';

const root = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

describe('manifest (package.json) ↔ code tables', () => {
  it('has the identity the design asks for', () => {
    assert.equal(manifest.name, 'spend-band');
    assert.equal(manifest.displayName, 'Spend Band');
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.bin, { 'spend-band': 'dist/cli.js' });
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished']);
    assert.equal(manifest.devDependencies['@types/vscode'], manifest.engines.vscode.replace(/^\^/, ''), '@types/vscode is pinned to the engines minimum');
  });

  it('contributes exactly the commands of the command table, each in category Spend Band', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Spend Band', c.command);
  });

  it('contributes exactly the settings of the settings table, with the same defaults', () => {
    const properties = contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(SETTINGS).sort());
    for (const [key, spec] of Object.entries(SETTINGS)) {
      assert.deepEqual(properties[key].default, spec.default, `default of ${key}`);
      assert.ok(properties[key].markdownDescription, `${key} has a markdownDescription`);
      assert.ok(spec.schema.safeParse(spec.default).success, `the default of ${key} passes its schema`);
    }
  });

  it('gives settings that decide where data goes machine scope', () => {
    for (const key of MACHINE_SCOPED) assert.match(contributes.configuration.properties[key].scope ?? '', /^(machine|application)$/, key);
  });

  it('uses only known spendBand.* ids in when clauses and menus', () => {
    const commandIds = new Set<string>(Object.values(COMMANDS));
    const views = new Set<string>(contributes.views.spendBand.map((v: { id: string }) => v.id));
    const contextKeys = new Set<string>(Object.values(CONTEXT_KEYS));
    const whens: string[] = [];
    for (const entries of Object.values(contributes.menus) as { command: string; when?: string }[][]) {
      for (const entry of entries) {
        assert.ok(commandIds.has(entry.command), `menu command ${entry.command}`);
        if (entry.when) whens.push(entry.when);
      }
    }
    for (const w of contributes.viewsWelcome) {
      assert.ok(views.has(w.view), `welcome view ${w.view}`);
      if (w.when) whens.push(w.when);
    }
    for (const when of whens) {
      for (const [id] of when.matchAll(/spendBand\.[A-Za-z.]+/g)) assert.ok(views.has(id) || contextKeys.has(id) || commandIds.has(id), `unknown id ${id} in "${when}"`);
    }
  });

  it('ships its icons', () => {
    for (const path of [manifest.icon, contributes.viewsContainers.activitybar[0].icon]) assert.ok(readFileSync(join(root, path)).length > 0, path);
  });
});

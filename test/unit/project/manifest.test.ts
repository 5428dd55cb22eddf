// package.json against the code tables: every contributed command and setting exists in the code and
// the other way round; views and context keys used in `when` clauses are known.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../src/vscode/commandTable';
import { CONTEXT_KEYS } from '../../../src/vscode/contextKeys';
import { MACHINE_SCOPED, SETTINGS, SETTING_GROUPS } from '../../../src/vscode/settingsTable';

const root = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
type SettingGroup = {
  id: string;
  title: string;
  order: number;
  properties: Record<
    string,
    {
      default: unknown;
      scope?: string;
      order?: number;
      markdownDescription?: string;
      enum?: unknown[];
      markdownEnumDescriptions?: string[];
      enumDescriptions?: string[];
    }
  >;
};
const groups: SettingGroup[] = contributes.configuration;
const properties: SettingGroup['properties'] = Object.assign({}, ...groups.map((g) => g.properties));

describe('manifest (package.json) ↔ code tables', () => {
  it('has the identity the design asks for', () => {
    assert.equal(manifest.name, 'spend-band');
    assert.equal(manifest.displayName, 'Spend Band');
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.bin, { 'spend-band': 'dist/cli.js' });
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished']);
    assert.equal(
      manifest.devDependencies['@types/vscode'],
      manifest.engines.vscode.replace(/^\^/, ''),
      '@types/vscode is pinned to the engines minimum',
    );
  });

  it('contributes exactly the commands of the command table, each in category Spend Band', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Spend Band', c.command);
  });

  it('contributes exactly the settings of the settings table, with the same defaults', () => {
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(SETTINGS).sort());
    for (const [key, spec] of Object.entries(SETTINGS)) {
      assert.deepEqual(properties[key].default, spec.default, `default of ${key}`);
      assert.ok(properties[key].markdownDescription, `${key} has a markdownDescription`);
      assert.ok(spec.schema.safeParse(spec.default).success, `the default of ${key} passes its schema`);
    }
  });

  it('gives settings that decide where data goes machine scope', () => {
    for (const key of MACHINE_SCOPED) assert.match(properties[key]!.scope ?? '', /^(machine|application)$/, key);
    assert.equal(
      properties['spendBand.privacy.hashRepositoryNames']!.scope,
      'application',
      'a repository cannot switch hashing off',
    );
  });

  it('groups the settings in the order of the settings table, each setting ordered within its group', () => {
    assert.deepEqual(
      groups.map((g) => ({ id: g.id, keys: Object.keys(g.properties) })),
      SETTING_GROUPS.map((g) => ({ id: g.id, keys: [...g.keys] })),
    );
    groups.forEach((group, i) => {
      assert.equal(group.order, i + 1, `order of ${group.id}`);
      assert.ok(group.title, `${group.id} has a title`);
      Object.values(group.properties).forEach((p, j) => assert.equal(p.order, j + 1, `order within ${group.id}`));
    });
  });

  it('describes every enum value of a setting in Markdown', () => {
    const enums: [string, { enum?: unknown[]; markdownEnumDescriptions?: string[]; enumDescriptions?: string[] }][] =
      [];
    const walk = (name: string, node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (Array.isArray(n.enum)) enums.push([name, n as never]);
      for (const [k, v] of Object.entries(n)) if (k !== 'enum' && k !== 'default') walk(`${name}.${k}`, v);
    };
    for (const [key, p] of Object.entries(properties)) walk(key, p);
    assert.ok(enums.length >= 5, 'the enum settings were found');
    for (const [name, p] of enums) {
      assert.equal(p.enumDescriptions, undefined, `${name}: markdownEnumDescriptions instead of enumDescriptions`);
      assert.equal(p.markdownEnumDescriptions?.length, p.enum!.length, `${name}: one description per value`);
    }
  });

  it('declares where it runs and why', () => {
    assert.deepEqual(manifest.extensionKind, ['workspace'], 'the agent logs live where the agent runs');
    assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
    assert.ok(manifest.capabilities.virtualWorkspaces.description.length > 20, 'virtualWorkspaces gives a reason');
    assert.match(
      readFileSync(join(root, 'README.md'), 'utf8'),
      /extensionKind|remote/i,
      'the README explains remote use',
    );
  });

  it('can be published: repository, bugs, homepage, categories, preview', () => {
    assert.match(manifest.repository.url, /^https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    assert.match(manifest.bugs.url, /^https:\/\//);
    assert.match(manifest.homepage, /^https:\/\//);
    assert.deepEqual(manifest.categories, ['AI', 'Visualization']);
    assert.equal(manifest.preview, true);
  });

  it('packages with plain `vsce package`: a production build first, an allowlist, the CLI inside', () => {
    assert.equal(
      manifest.scripts['vscode:prepublish'],
      'node esbuild.mjs --production',
      'vsce runs vscode:prepublish, so a clean clone packages without a separate build',
    );
    assert.equal(
      manifest.files,
      undefined,
      'vsce exits 1 when package.json has "files" beside .vscodeignore; list what npm publishes in .npmignore instead',
    );
    const allow = readFileSync(join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).trim());
    assert.equal(
      readFileSync(join(root, '.vscodeignore'), 'utf8')
        .split('\n')
        .find((l) => l.trim() !== '' && !l.startsWith('#')),
      '**',
      'the first rule leaves everything out',
    );
    const build = readFileSync(join(root, 'esbuild.mjs'), 'utf8');
    const commands = [...(/const CLI_COMMANDS = \[([^\]]*)\]/.exec(build)?.[1] ?? '').matchAll(/'(\w+)'/g)].map(
      (m) => m[1]!,
    );
    assert.ok(commands.length >= 5, 'CLI_COMMANDS found in esbuild.mjs');
    const shared = [...(/const SHARED_LIBRARIES = \[([^\]]*)\]/.exec(build)?.[1] ?? '').matchAll(/'([\w@/-]+)'/g)].map(
      (m) => `dist/${m[1]!}.js`,
    );
    for (const bundle of shared)
      assert.ok(allow.includes(bundle), `.vscodeignore ships ${bundle}, which the command bundles require`);
    // every command, server and admin included: they run on node:sqlite (Node >= 22.13) and say what to
    // do on an older Node, since the .vsix carries no better-sqlite3
    for (const bundle of [
      'dist/extension.js',
      'dist/scanWorker.js',
      'dist/cli.js',
      'dist/server.js',
      ...commands.map((c) => `dist/${c}.js`),
    ])
      assert.ok(allow.includes(bundle), `.vscodeignore ships ${bundle}`);
    assert.ok(
      !allow.some(
        (a) => a.endsWith('.map') || a.startsWith('src') || a.startsWith('test') || a.startsWith('node_modules'),
      ),
      'no sources, maps, tests or node_modules',
    );
  });

  it('has a first-run walkthrough whose steps, media and buttons exist and ship', () => {
    const [walkthrough, ...others] = contributes.walkthroughs as {
      id: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string };
        completionEvents: string[];
      }[];
    }[];
    assert.equal(others.length, 0);
    assert.equal(walkthrough!.id, 'spendBand.firstRun');
    assert.deepEqual(
      walkthrough!.steps.map((s) => s.id),
      ['spendBand.chooseSource', 'spendBand.pickClass', 'spendBand.guardedRun', 'spendBand.installCli'],
    );
    const commandIds = new Set<string>(Object.values(COMMANDS));
    const contextKeys = new Set<string>(Object.values(CONTEXT_KEYS));
    const allow = readFileSync(join(root, '.vscodeignore'), 'utf8');
    for (const step of walkthrough!.steps) {
      const markdown = step.media.markdown!;
      assert.ok(readFileSync(join(root, markdown), 'utf8').startsWith('## '), `${markdown} exists`);
      assert.match(allow, /^!media\/walkthrough\/\*\.md$/m, 'the walkthrough pages are in the .vsix');
      const buttons = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      assert.ok(buttons.length > 0, `${step.id} has a button`);
      for (const id of buttons) assert.ok(commandIds.has(id), `${step.id}: button command ${id}`);
      for (const event of step.completionEvents) {
        const [kind, id] = event.split(':');
        assert.ok(
          kind === 'onCommand' ? commandIds.has(id!) : kind === 'onContext' && contextKeys.has(id!),
          `${step.id}: ${event}`,
        );
      }
    }
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
      for (const [id] of when.matchAll(/spendBand\.[A-Za-z.]+/g))
        assert.ok(views.has(id) || contextKeys.has(id) || commandIds.has(id), `unknown id ${id} in "${when}"`);
    }
  });

  it('ships its icons', () => {
    for (const path of [manifest.icon, contributes.viewsContainers.activitybar[0].icon])
      assert.ok(readFileSync(join(root, path)).length > 0, path);
  });
});

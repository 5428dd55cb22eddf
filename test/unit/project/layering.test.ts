// The layer rule of HOUSE-STYLE.md: only src/vscode/ and src/extension.ts may import 'vscode' (even a
// type-only import), and src/domain/ stays pure (no fs, network, timers or child processes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importsOf as importStatements, ROOT as root, sourceFiles } from './sourceImports';

/** Every module specifier a file imports or requires (static, dynamic, type-only, re-export). */
function importsOf(text: string): string[] {
  return importStatements(text).map((i) => i.specifier);
}

const files = sourceFiles();

describe('layering', () => {
  it('finds the source tree', () => {
    assert.ok(files.length > 20, `only ${files.length} files under src/`);
  });

  it('imports vscode only from src/vscode/ and src/extension.ts', () => {
    const offenders = files.filter(
      (f) => !f.path.startsWith('src/vscode/') && f.path !== 'src/extension.ts' && importsOf(f.text).includes('vscode'),
    );
    assert.deepEqual(
      offenders.map((f) => f.path),
      [],
    );
  });

  it('keeps src/domain/ pure: no node built-ins for I/O, no network, no host', () => {
    const forbidden =
      /^(node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram|os|undici|vscode|better-sqlite3)$/;
    const offenders = files
      .filter((f) => f.path.startsWith('src/domain/'))
      .flatMap((f) =>
        importsOf(f.text)
          .filter((s) => forbidden.test(s))
          .map((s) => `${f.path} imports ${s}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('keeps timers and the clock out of src/domain/ (time comes in as `now`)', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('src/domain/'))
      .filter((f) => /\b(setTimeout|setInterval|Date\.now\(\)|new Date\(\))/.test(f.text.replace(/\/\/.*$/gm, '')))
      .map((f) => f.path);
    assert.deepEqual(offenders, []);
  });

  it('keeps zod out of the usage scan and `spend-band usage` (loading the schemas costs ~11 MiB of memory)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    for (const entry of ['src/usage/scan/scanWorker.ts', 'src/cli/usageCommand.ts']) {
      const result = esbuild.buildSync({
        entryPoints: [join(root, entry)],
        bundle: true,
        platform: 'node',
        write: false,
        metafile: true,
        logLevel: 'silent',
        outdir: 'unused',
        loader: { '.wasm': 'binary' },
      });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(inputs.length > 5, `${entry} bundles its imports`);
      assert.deepEqual(
        inputs.filter((i) => /node_modules\/zod\//.test(i) || i.endsWith('domain/schemas.ts')),
        [],
        `${entry} must not import zod`,
      );
    }
  });

  it('builds every CLI command as a bundle of its own (dist/cli.js stays a small dispatcher; see esbuild.mjs)', () => {
    const main = readFileSync(join(root, 'src/cli/main.ts'), 'utf8');
    const build = readFileSync(join(root, 'esbuild.mjs'), 'utf8');
    const loaded = [...main.matchAll(/import\('\.\/([A-Za-z]+Command)'\)/g)].map((m) => m[1]!);
    const listed = /const CLI_COMMANDS = \[([^\]]*)\]/.exec(build)?.[1] ?? '';
    assert.ok(loaded.length >= 8, 'main.ts loads its commands lazily');
    for (const name of new Set(loaded))
      assert.ok(
        listed.includes(`'${name}'`),
        `${name} is missing from CLI_COMMANDS in esbuild.mjs: it would be parsed by every CLI run`,
      );
  });

  it('detects a type-only vscode import (the check itself works)', () => {
    assert.deepEqual(importsOf("import type * as vscode from 'vscode';\nconst x = require('vscode');"), [
      'vscode',
      'vscode',
    ]);
  });
});

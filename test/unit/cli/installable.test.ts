// The CLI installs from a clone: `npm pack` ships the built CLI (not the sources, the tests or the
// extension bundle), and `npm install -g` of that package puts a working `spend-band` on the PATH.
// Real npm into a temporary prefix; the package's own install scripts are skipped (better-sqlite3's
// native build is only for `server` and `admin`, and would take minutes here).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFromRoot } from '../api/apiTestKit';

const run = promisify(execFile);

describe('an installable CLI (npm pack, npm install -g)', function () {
  this.timeout(300_000);
  const root = resolveFromRoot('.');
  let dir: string;
  let tarball: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spend-band-install-'));
    if (!existsSync(join(root, 'dist', 'cli.js'))) await run(process.execPath, ['esbuild.mjs'], { cwd: root });
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: root,
      maxBuffer: 16 << 20,
    });
    const info = (JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
    tarball = join(dir, info.filename);
    writeFileSync(join(dir, 'files.json'), JSON.stringify(info.files.map((f) => f.path)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the package holds the built CLI and its command bundles, nothing of src/, test/ or the extension', () => {
    const files = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as string[];
    for (const needed of [
      'package.json',
      'README.md',
      'dist/cli.js',
      'dist/statusCommand.js',
      'dist/usageCommand.js',
      'dist/runCommand.js',
      'dist/server.js',
      'dist/adminCommand.js',
      'dist/scanWorker.js',
    ]) {
      assert.ok(files.includes(needed), `${needed} is not in the package`);
    }
    for (const f of files)
      assert.doesNotMatch(
        f,
        /^(src|test|out|node_modules|media)\/|\.map$|^dist\/extension\.js$|\.vsix$/,
        `${f} should not ship`,
      );
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
      files?: unknown;
    };
    assert.equal(pkg.bin['spend-band'], 'dist/cli.js');
    assert.match(
      pkg.scripts.prepare ?? '',
      /esbuild\.mjs/,
      'a clone builds dist/ on npm install (prepare), which npm pack runs too',
    );
    assert.equal(pkg.files, undefined, 'vsce refuses "files" beside .vscodeignore; npm uses .npmignore');
  });

  it('npm install -g of the package puts a spend-band that runs on the PATH', async () => {
    const prefix = join(dir, 'prefix');
    await run(
      'npm',
      ['install', '-g', tarball, '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: dir, maxBuffer: 16 << 20 },
    );
    const bin = join(prefix, 'bin', 'spend-band');
    assert.ok(statSync(bin).mode & 0o111, 'the bin is not executable');
    const env = {
      PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      SPEND_BAND_CACHE: join(dir, 'cache'),
    };
    const version = await run('spend-band', ['--version'], { env });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `spend-band ${pkg.version}\n`);
    const help = await run('spend-band', ['usage', '--help'], { env });
    assert.match(help.stdout, /Usage: spend-band usage \[flags\]/);
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ currency: 'USD', timezone: 'UTC', bands: [{ workflow: 'deep_coding', allocated_usd: 200 }] }),
    );
    const status = await run('spend-band', ['status', '--json', '--config', join(dir, 'config.json')], { env });
    const doc = JSON.parse(status.stdout) as { source: string; bands: Array<{ workflow: string }> };
    assert.equal(doc.source, 'local');
    assert.deepEqual(
      doc.bands.map((b) => b.workflow),
      ['deep_coding'],
    );
  });
});

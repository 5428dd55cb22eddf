// `spend-band status --json` with local bands, run as the real bundle in a child process: what a
// script or CI job sees (docs/contract/cli.md).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BandsDocumentSchema } from '../../../src/domain/schemas';

const ROOT = resolve(__dirname, '../../../..');
const CLI = join(ROOT, 'dist/cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return fail(error);
        done({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}

// The example of the CLI contract, verbatim
const CONFIG = `{
  "currency": "USD",
  "timezone": "Europe/Berlin",
  "role": "platform_engineer",
  "seats": [{ "vendor": "github", "product": "copilot_business", "monthly_usd": 19 }],
  "bands": [
    { "workflow": "deep_coding", "allocated_usd": 200 },
    { "workflow": "review", "allocated_usd": 40, "thresholds": [70, 100] },
    { "workflow": "background_automation", "allocated_usd": 50, "period": "P1W",
      "escalation": [
        { "estimate_at_least_usd": 5, "action": "warn" },
        { "estimate_at_least_usd": 20, "action": "needs_approval" } ] }
  ]
}
`;

describe('cli: status --json with local bands', function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // always build: dist/cli.js must be the code under test, not an older bundle
    const build = await new Promise<Run>((done) => {
      const child = execFile(
        process.execPath,
        ['esbuild.mjs'],
        { cwd: ROOT, timeout: 150_000 },
        (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
      );
    });
    assert.equal(build.code, 0, `node esbuild.mjs failed:\n${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'spend-band-status-'));
    // nothing from the developer's own environment: no endpoint, no token, config and cache in the temp dir
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPEND_BAND_')));
    Object.assign(env, { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('prints one valid BandsDocument with source "local" and the configured bands', async () => {
    const before = Date.now();
    const result = await run(['status', '--json', '--config', writeConfig('config.json', CONFIG)], env);
    const after = Date.now();
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    const doc = BandsDocumentSchema.parse(json);
    assert.equal(json.source, 'local');
    assert.equal(json.stale, false);
    assert.equal(typeof json.fetched_at, 'string');
    const fetched = Date.parse(json.fetched_at as string);
    assert.ok(fetched >= before - 1000 && fetched <= after + 1000, `fetched_at ${json.fetched_at as string} is now`);
    assert.equal(json.error, undefined);

    assert.equal(doc.role.id, 'platform_engineer');
    assert.deepEqual(
      doc.bands.map((b) => [
        b.workflow,
        b.allocated.amount_micros,
        b.period.interval,
        b.period.timezone,
        b.enforcement,
      ]),
      [
        ['deep_coding', 200_000_000, 'P1M', 'Europe/Berlin', 'soft'],
        ['review', 40_000_000, 'P1M', 'Europe/Berlin', 'soft'],
        ['background_automation', 50_000_000, 'P1W', 'Europe/Berlin', 'soft'],
      ],
    );
    for (const band of doc.bands) {
      assert.ok(
        Date.parse(band.period.start) <= fetched && fetched < Date.parse(band.period.end),
        `${band.workflow} period contains now`,
      );
      assert.match(band.period.start, /T00:00:00\+0[12]:00$/, 'periods start at local midnight in Berlin');
    }
    assert.deepEqual(
      doc.bands[1]!.thresholds.map((t) => t.percent),
      [70, 100],
    );
    assert.deepEqual(
      doc.seats.map((s) => [s.vendor, s.product, s.cost.amount_micros]),
      [['github', 'copilot_business', 19_000_000]],
    );
    assert.deepEqual(
      doc.escalation.rules.map((r) => r.applies_to),
      [['background_automation'], ['background_automation']],
    );
  });

  it('a broken config exits 2 with one stderr line naming the line and the field', async () => {
    const broken = CONFIG.replace('"allocated_usd": 40', '"allocated_usd": "forty"');
    const result = await run(['status', '--json', '--config', writeConfig('broken.json', broken)], env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '', 'nothing on stdout: a script must not read a half document');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /broken\.json line 8, bands\[1\]\.allocated_usd: expected an amount such as 19 or 12\.50/);
    assert.match(lines[0]!, /Fix the file/);
  });

  it('a config that is not JSON exits 2 naming the line', async () => {
    const invalid = CONFIG.replace('"role": "platform_engineer",', '"role": "platform_engineer"');
    const result = await run(['status', '--json', '--config', writeConfig('invalid.json', invalid)], env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr.trim(),
      /^spend-band: .*invalid\.json line 5: not valid JSON \(column 3: expected ',' or '}' after the value of "role"\)/,
    );
  });

  it('an unknown period exits 2 naming its line and field', async () => {
    const result = await run(
      ['status', '--json', '--config', writeConfig('period.json', CONFIG.replace('"P1W"', '"P2W"'))],
      env,
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /period\.json line 9, bands\[2\]\.period: expected P1M \(calendar month\), P1W \(ISO week\) or P1D/,
    );
  });
});

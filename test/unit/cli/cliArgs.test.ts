// What a newcomer meets first: help, --version, typos, stray words and error lines of the real CLI
// (bundled from today's sources, run as a child process). Each case is one of issue #17's findings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closest, commandHelp, editDistance } from '../../../src/cli/args';
import { ACTIONS } from '../../../src/cli/adminCommand';
import { ADMIN_SPECS, COMMAND_SPECS } from '../../../src/cli/commandSpecs';
import { resolveFromRoot } from '../api/apiTestKit';
import { runCli, tempDir, type CliRun } from '../preflight/cliKit';

describe('spend-band arguments, help and errors (real process)', function () {
  this.timeout(60_000);
  let tmp: { dir: string; cleanup(): void };
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, env);

  before(() => {
    tmp = tempDir('spend-band-args-');
    env = {
      HOME: tmp.dir,
      XDG_CONFIG_HOME: join(tmp.dir, 'config'),
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
    };
  });
  after(() => tmp.cleanup());

  /** A failure is exactly one line on stderr with one "spend-band: " prefix. */
  function assertOneErrorLine(r: CliRun, code: number): string {
    assert.equal(r.code, code, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^spend-band: /);
    assert.doesNotMatch(lines[0]!, /spend-band:.*spend-band:/);
    assert.doesNotMatch(lines[0]!, /^spend-band: spend-band /, 'the prefix is said twice');
    return lines[0]!;
  }

  it('--version prints the package version and exits 0', async () => {
    const version = (JSON.parse(readFileSync(resolveFromRoot('package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = await cli(flag);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `spend-band ${version}\n`);
      assert.equal(r.stderr, '');
    }
  });

  it('-h, --help and help list every command and exit 0; no command at all is a usage error', async () => {
    for (const flag of ['-h', '--help', 'help']) {
      const r = await cli(flag);
      assert.equal(r.code, 0, flag);
      for (const spec of COMMAND_SPECS)
        assert.match(r.stdout, new RegExp(`^  ${spec.name} +\\S`, 'm'), `${flag} lists ${spec.name}`);
      assert.match(r.stdout, /^  admin +administer/m);
    }
    const none = await cli();
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Commands:/);
    assertOneErrorLine(none, 2);
  });

  it('every command has -h/--help with its flags, defaults and environment variables, and runs nothing', async () => {
    for (const spec of COMMAND_SPECS) {
      const r = await cli(spec.name, '-h');
      assert.equal(r.code, 0, `${spec.name} -h: ${r.stderr}`);
      assert.equal(r.stdout, commandHelp(spec));
      for (const f of spec.flags)
        assert.match(r.stdout, new RegExp(`--${f.name}\\b`), `${spec.name} --help names --${f.name}`);
    }
    const status = await cli('status', '--help');
    assert.match(status.stdout, /--endpoint URL +base URL .*\[env SPEND_BAND_ENDPOINT\]/s);
    assert.match(
      status.stdout,
      /--source auto\|endpoint\|litellm\|openrouter\|local\n +which source answers.*\[env SPEND_BAND_SOURCE; default auto\]/s,
    );
    const usage = await cli('usage', '--help');
    assert.match(usage.stdout, /Environment:\n +SPEND_BAND_SCAN_THREADS/);
    assert.match(usage.stdout, /Examples:\n +spend-band usage --since/);
    // help wins over a missing required value: nothing is asked of a source
    const run = await cli('run', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: spend-band run \[flags\] -- COMMAND \[ARGS\.\.\.\]/);
  });

  it('admin help: the nouns and verbs, then the flags of one', async () => {
    const all = await cli('admin', '--help');
    assert.equal(all.code, 0);
    for (const spec of ADMIN_SPECS)
      assert.match(all.stdout, new RegExp(`^  ${spec.name.replace(/^admin /, '')} +\\S`, 'm'));
    const one = await cli('admin', 'band', 'set', '-h');
    assert.equal(one.code, 0);
    assert.match(one.stdout, /--enforcement none\|soft\|hard +what happens past the allocation \[default soft\]/);
    assert.match(one.stdout, /--db FILE .*\[env SPEND_BAND_DB/s);
  });

  it('a typo in a flag, a command, an admin word or a value is refused with the nearest name', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['usage', '--untill', '2026-01-01'], /unknown flag --untill for usage\. Did you mean --until\?/],
      [['status', '--ofline'], /Did you mean --offline\?/],
      [['preflight', '--workflow', 'x', '--estimate', '3'], /Did you mean --estimate-usd\?/],
      [['stauts'], /there is no command "stauts"\. Did you mean spend-band status\?/],
      [['reqests'], /Did you mean spend-band requests\?/],
      [['admin', 'develper', 'list'], /Did you mean spend-band admin developer\?/],
      [['admin', 'request', 'aprove', 'req_1'], /Did you mean spend-band admin request approve\?/],
      [['requests', '--status', 'pendng'], /--status must be one of pending, .*not "pendng"\. Did you mean pending\?/],
    ];
    for (const [argv, pattern] of cases)
      assert.match(assertOneErrorLine(await cli(...argv), 2), pattern, argv.join(' '));
  });

  it('stray words are refused, not silently ignored (status foo is not status)', async () => {
    assert.match(assertOneErrorLine(await cli('status', 'foo'), 2), /status takes no word "foo"/);
    assert.match(assertOneErrorLine(await cli('status', '--', 'y'), 2), /status takes nothing after --/);
    assert.match(
      assertOneErrorLine(await cli('run', '--estimate-usd', '1', 'echo', 'hi'), 2),
      /run takes no word "echo" here\. To pass words to COMMAND \[ARGS\.\.\.\], put them after --/,
    );
    assert.match(
      assertOneErrorLine(await cli('admin', 'developer', 'list', 'extra'), 2),
      /admin developer list takes no word "extra"/,
    );
  });

  it('a flag without its value, or a switch with one, says how to write it', async () => {
    assert.match(assertOneErrorLine(await cli('usage', '--until'), 2), /--until needs a value: --until YYYY-MM-DD\./);
    assert.match(assertOneErrorLine(await cli('usage', '--until', '--json'), 2), /--until needs a value/);
    assert.match(assertOneErrorLine(await cli('status', '--json=yes'), 2), /--json is a switch and takes no value/);
    assert.match(assertOneErrorLine(await cli('--json', 'status'), 2), /put the command first/);
  });

  it('an explicitly named --config that does not exist exits 2 (was 0 with an empty budget)', async () => {
    const missing = join(tmp.dir, 'nope.json');
    const line = assertOneErrorLine(await cli('status', '--config', missing), 2);
    assert.match(
      line,
      new RegExp(`the config file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} named by --config does not exist`),
    );
    // without --config, a missing default file is still a hint, not an error
    const plain = await cli('status', '--json');
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /no bands configured: write .*config\.json/);
  });

  it('a token is never echoed: --token is refused with where a token goes; a token given as --token-env is not repeated', async () => {
    const secret = 'sbt_LkX6pLhoiFV4OganKy_ATmmOtIfAspKduDoFzjFdDPE';
    const asFlag = assertOneErrorLine(await cli('status', '--token', secret), 2);
    assert.match(asFlag, /a token is never taken on the command line.*export SPEND_BAND_TOKEN=/);
    assert.doesNotMatch(asFlag, /Did you mean/);
    for (const line of [
      asFlag,
      assertOneErrorLine(await cli('status', '--endpoint', 'http://127.0.0.1:9', '--token-env', secret), 2),
    ]) {
      assert.ok(!line.includes(secret.slice(4, 20)), `the token is in: ${line}`);
    }
    assert.match(
      assertOneErrorLine(await cli('status', '--endpoint', 'http://127.0.0.1:9', '--token-env', 'MY_TOKEN'), 2),
      /the variable MY_TOKEN named by --token-env is empty or not set/,
    );
  });

  it("a reader that goes away (spend-band --help | head -1) ends quietly with the command's code", async () => {
    const { spawn } = await import('node:child_process');
    const { buildCli } = await import('../preflight/cliKit');
    const child = spawn(process.execPath, [await buildCli(), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, PATH: process.env.PATH ?? '' },
    });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /internal error/);
  });

  it('one error prefix: a message that names the command is not prefixed twice', async () => {
    const line = assertOneErrorLine(await cli('requests'), 2);
    assert.match(line, /^spend-band: the requests command needs a Bands API v1 endpoint/);
  });
});

describe('flag tables', () => {
  it('every admin action has a table with exactly the flags it reads (and --db), and no table lacks an action', () => {
    for (const [name, action] of Object.entries(ACTIONS)) {
      const spec = ADMIN_SPECS.find((s) => s.name === `admin ${name}`);
      assert.ok(spec, `no flag table for admin ${name}`);
      assert.deepEqual(spec.flags.map((f) => f.name).sort(), [...action.flags, 'db'].sort(), `admin ${name}`);
    }
    for (const spec of ADMIN_SPECS)
      assert.ok(ACTIONS[spec.name.replace(/^admin /, '')], `${spec.name} has a table but no action`);
  });
});

describe('closest (suggestions)', () => {
  it('finds a typo within a third of the word, a transposition, or a prefix; nothing for an unrelated word', () => {
    assert.equal(editDistance('stauts', 'status'), 1);
    assert.equal(closest('untill', ['since', 'until', 'by']), 'until');
    assert.equal(closest('estimate', ['estimate-usd', 'estimate-tokens']), 'estimate-usd');
    assert.equal(closest('frobnicate', ['since', 'until', 'by']), undefined);
    assert.equal(closest('x', ['by', 'json']), undefined);
  });
});

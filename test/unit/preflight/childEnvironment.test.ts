// Issue #20 finding 6 and issue #15 item 4: the program `spend-band run` starts gets no Bands API
// token and carries its workflow class in OTEL_RESOURCE_ATTRIBUTES. A real CLI process against the
// reference server starts a real child that writes down the environment it got.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnvironment, mergeResourceAttributes } from '../../../src/flows/preflight/childEnvironment';
import { runCli, startTestServer, tempDir, type TestServer } from './cliKit';

describe('the environment of a guarded program (#20 finding 6, #15 item 4)', function () {
  this.timeout(90_000);
  let tmp: { dir: string; cleanup(): void };
  let server: TestServer;

  before(async () => {
    tmp = tempDir('spend-band-childenv-');
    server = await startTestServer(tmp.dir);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  const envDump = (file: string): string[] => [
    process.execPath,
    '-e',
    `require('node:fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.env))`,
  ];

  it('spend-band run: the child has no token variable nor a copy of the token, and has spendband.workflow merged', async () => {
    const token = server.server.demoToken!;
    const file = join(tmp.dir, 'env.json');
    const result = await runCli(['run', '--workflow', 'deep_coding', '--estimate-usd', '1', '--', ...envDump(file)], {
      HOME: tmp.dir,
      SPEND_BAND_ENDPOINT: server.server.url,
      SPEND_BAND_TOKEN: token,
      MY_COPY_OF_IT: token,
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      SPEND_BAND_CONFIG: join(tmp.dir, 'absent.json'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=my-agent,spendband.workflow=review,team=a%2Cb',
      KEEP_ME: 'yes',
    });
    assert.equal(result.code, 0, result.stderr);
    const env = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.equal(env.SPEND_BAND_TOKEN, undefined);
    assert.equal(env.MY_COPY_OF_IT, undefined);
    assert.ok(!Object.values(env).some((v) => v.includes(token)), 'the token is nowhere in the child environment');
    assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, 'service.name=my-agent,team=a%2Cb,spendband.workflow=deep_coding');
    assert.equal(env.SPEND_BAND_WORKFLOW, 'deep_coding');
    assert.match(env.SPEND_BAND_RUN_ID ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(env.KEEP_ME, 'yes');
    assert.equal(env.SPEND_BAND_ENDPOINT, server.server.url, 'the endpoint URL is not a secret');
  });

  it('spend-band run --token-env NAME: that variable is removed too', async () => {
    const file = join(tmp.dir, 'env2.json');
    const result = await runCli(
      ['run', '--workflow', 'deep_coding', '--estimate-usd', '1', '--token-env', 'BUDGET_KEY', '--', ...envDump(file)],
      {
        HOME: tmp.dir,
        SPEND_BAND_ENDPOINT: server.server.url,
        BUDGET_KEY: server.server.demoToken!,
        SPEND_BAND_CACHE: join(tmp.dir, 'cache2'),
        SPEND_BAND_CONFIG: join(tmp.dir, 'absent.json'),
        CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
        CODEX_HOME: join(tmp.dir, 'no-codex'),
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const env = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.equal(env.BUDGET_KEY, undefined);
    assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, 'spendband.workflow=deep_coding');
  });

  it('childEnvironment is pure and merges OTEL_RESOURCE_ATTRIBUTES by the spec', () => {
    const parent = Object.freeze({
      PATH: '/bin',
      SPEND_BAND_TOKEN: 'sbt_abcdefgh',
      SPEND_BAND_ADMIN_TOKEN: 'x',
      SHORT: 'x',
    });
    const env = childEnvironment(parent, { workflow: 'research', runId: 'r1' });
    assert.deepEqual(env, {
      PATH: '/bin',
      SHORT: 'x',
      SPEND_BAND_WORKFLOW: 'research',
      SPEND_BAND_RUN_ID: 'r1',
      OTEL_RESOURCE_ATTRIBUTES: 'spendband.workflow=research',
    });
    assert.equal(parent.SPEND_BAND_TOKEN, 'sbt_abcdefgh', 'the parent is untouched');
    assert.equal(
      mergeResourceAttributes(' a=1 , ,spendband.workflow=x', 'spendband.workflow', 'a b,c'),
      'a=1,spendband.workflow=a%20b%2Cc',
    );
  });
});

// --json on every command: one JSON document on stdout and nothing else there (the CLI contract).
// The developer's commands run as a real CLI process against the reference server on 127.0.0.1;
// the admin commands run in-process on the server's database file (as a separate admin would).
import assert from 'node:assert/strict';
import { referenceServerSuite, runCli } from '../preflight/cliKit';

describe('--json everywhere (real process, reference server)', function () {
  this.timeout(120_000);
  const suite = referenceServerSuite('spend-band-json-');

  /** stdout parses as exactly one JSON value */
  function oneDocument(stdout: string, what: string): unknown {
    assert.ok(stdout.trim().length > 0, `${what}: nothing on stdout`);
    try {
      return JSON.parse(stdout);
    } catch (error) {
      assert.fail(`${what}: stdout is not one JSON document (${(error as Error).message}):\n${stdout}`);
    }
  }

  it('the developer commands', async () => {
    const commands: string[][] = [
      ['status', '--json'],
      ['usage', '--json'],
      ['preflight', '--json', '--workflow', 'deep_coding', '--estimate-usd', '1', '--dry-run'],
      [
        'request',
        '--json',
        '--band',
        'review',
        '--delta-usd',
        '5',
        '--outcome',
        'faster_review',
        '--justification',
        'two more reviewers this sprint',
      ],
      ['requests', '--json'],
      ['report', '--json'],
    ];
    for (const argv of commands) {
      const r = await runCli(argv, suite.env);
      assert.ok(r.code === 0, `${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      oneDocument(r.stdout, argv.join(' '));
    }
  });

  it('the admin commands, changes included', async () => {
    const commands: string[][] = [
      ['developer', 'add', '--id', 'zed', '--role', 'backend_engineer'],
      ['developer', 'list'],
      [
        'seat',
        'set',
        '--role',
        'backend_engineer',
        '--vendor',
        'github',
        '--product',
        'copilot_business',
        '--monthly-usd',
        '19',
      ],
      ['band', 'set', '--developer', 'zed', '--workflow', 'review', '--allocated-usd', '10'],
      ['band', 'list', '--developer', 'zed'],
      ['rule', 'add', '--developer', 'zed', '--workflow', 'review', '--action', 'warn'],
      ['policy', 'set', '--developer', 'zed', '--per-run-cap-usd', '5'],
      ['token', 'issue', '--developer', 'zed'],
      ['token', 'revoke', '--developer', 'zed'],
      ['tag', 'list'],
      ['request', 'list'],
    ];
    for (const argv of commands) {
      const r = await suite.server.admin([...argv, '--json']);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      oneDocument(r.stdout, `admin ${argv.join(' ')}`);
    }
    const added = oneDocument(
      (await suite.server.admin(['developer', 'add', '--id', 'zed', '--json'])).stdout,
      'developer add',
    ) as { developer: string; created: boolean };
    assert.deepEqual(added, { developer: 'zed', created: false });
  });
});

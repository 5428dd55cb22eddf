// The token never appears in stdout, stderr, the cache file or a thrown error — even against servers
// that echo it back into every field they can (a careless gateway, a debug page, a hostile endpoint).
// Each case also checks that the server really received the token, so the test cannot pass vacuously.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadBands, type SourceConfig } from '../../../src/api/bandsSource';
import { fixture, makeToken, runCli, sendJson, sendProblem, startServer, tempDir, type TestServer } from './apiTestKit';

const token = makeToken();
const bare = (req: IncomingMessage) => String(req.headers.authorization ?? '').replace(/^Bearer /, '');

interface LeakCase {
  name: string;
  kind: 'endpoint' | 'litellm' | 'openrouter';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** the server's words are shown somewhere (with the token blanked out) */
  showsEcho: boolean;
}

const CASES: LeakCase[] = [
  {
    name: 'endpoint echoing it into the document',
    kind: 'endpoint',
    handler: (req, res) => {
      const doc = fixture('bandsDocument.json');
      doc.developer.display_name = bare(req);
      doc.bands[0].label = `Deep ${bare(req)}`;
      sendJson(res, 200, doc);
    },
    showsEcho: true,
  },
  {
    name: 'endpoint echoing it into a 401 problem',
    kind: 'endpoint',
    handler: (req, res) => sendProblem(res, 401, `Bad token ${bare(req)}`, `The token ${bare(req)} is revoked.`),
    showsEcho: true,
  },
  {
    name: 'endpoint echoing it into an HTML 502 page',
    kind: 'endpoint',
    handler: (req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html><body>upstream said ${bare(req)}</body></html>`);
    },
    showsEcho: false,
  },
  {
    name: 'endpoint echoing it as plain text with a 200',
    kind: 'endpoint',
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${bare(req)} is your token`);
    },
    showsEcho: true,
  },
  {
    name: 'endpoint echoing it into a wrong-shaped document',
    kind: 'endpoint',
    handler: (req, res) =>
      sendJson(res, 200, {
        ...fixture<Record<string, unknown>>('bandsDocument.json'),
        bands: [{ id: bare(req), status: bare(req) }],
      }),
    showsEcho: false,
  },
  {
    name: 'LiteLLM echoing it as the key alias and name',
    kind: 'litellm',
    handler: (req, res) => {
      const body = fixture('litellm/keyInfo.noBudget.json');
      body.key = bare(req);
      body.info.key_alias = bare(req);
      body.info.key_name = bare(req);
      sendJson(res, 200, body);
    },
    showsEcho: true,
  },
  {
    name: 'OpenRouter echoing it as the label and an unknown reset cadence',
    kind: 'openrouter',
    handler: (req, res) => {
      const body = fixture('openrouter/key.monthly.json');
      body.data.label = bare(req);
      body.data.limit_reset = bare(req);
      sendJson(res, 200, body);
    },
    showsEcho: true,
  },
  {
    name: 'OpenRouter echoing it as the label of a key without a limit',
    kind: 'openrouter',
    handler: (req, res) => {
      const body = fixture('openrouter/key.unlimited.json');
      body.data.label = bare(req);
      sendJson(res, 200, body);
    },
    showsEcho: true,
  },
];

function cacheText(dir: string): string {
  try {
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

describe('api: the token never leaks', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    dir = tempDir();
    server = await startServer((_req, res) => sendJson(res, 404, {}));
  });
  afterEach(async () => {
    await server.close();
    dir.remove();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      server.handle(c.handler);
      const source: SourceConfig =
        c.kind === 'openrouter'
          ? { kind: 'openrouter', baseUrl: server.url, token, retry: { tries: 1 }, env: {} }
          : { kind: c.kind, baseUrl: server.url, token, retry: { tries: 1 }, env: {} };
      const seen: string[] = [];
      try {
        const result = await loadBands(source, {
          now: new Date('2026-11-28T21:00:00Z'),
          cacheDir: join(dir.path, 'lib'),
        });
        seen.push(JSON.stringify(result), inspect(result, { depth: 8 }));
      } catch (error) {
        seen.push(
          String((error as Error).message),
          String((error as Error).stack),
          inspect(error, { depth: 8 }),
          JSON.stringify(error),
        );
      }
      const args = ['status', '--source', c.kind, '--endpoint', server.url];
      const env = { SPEND_BAND_TOKEN: token, SPEND_BAND_CACHE: join(dir.path, 'cli'), HOME: dir.path };
      const text = await runCli(args, env);
      const json = await runCli([...args, '--json'], env);
      const offline = await runCli([...args, '--offline'], env);
      assert.ok(
        server.requests.length > 0 && server.requests.every((r) => r.headers.authorization === `Bearer ${token}`),
        'the server did not get the token',
      );
      seen.push(
        text.stdout,
        text.stderr,
        json.stdout,
        json.stderr,
        offline.stdout,
        offline.stderr,
        cacheText(join(dir.path, 'lib')),
        cacheText(join(dir.path, 'cli')),
      );
      // no fragment either: a message clipped mid-token would still give most of it away
      const secret = token.slice('sbt_live_'.length);
      const fragments = Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
      seen.forEach((s, i) => {
        const leaked = fragments.find((f) => s.includes(f));
        assert.equal(leaked, undefined, `a piece of the token leaked (output #${i}): ${s.slice(0, 300)}`);
      });
      // the careless server's other words still get through, with the token blanked out
      if (c.showsEcho)
        assert.ok(
          seen.some((s) => s.includes('[redacted]')),
          'expected the echo to show up redacted somewhere',
        );
    });
  }
});

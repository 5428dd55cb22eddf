// The on-disk cache of last good documents, on real files in a temp dir.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BandsCache } from '../../../src/api/bandsCache';
import { loadBands } from '../../../src/api/bandsSource';
import { fixture, makeToken, sendJson, startServer, tempDir } from './apiTestKit';

const DOC = fixture('bandsDocument.json');

describe('api/bandsCache', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('round-trips document, ETag, fetch time and unbudgeted spend; creates the folder; the file is private', async () => {
    const cache = new BandsCache(join(dir.path, 'nested', 'cache'));
    assert.equal(await cache.read('endpoint https://a'), undefined);
    const unbudgeted = [
      {
        id: 'k',
        label: 'key',
        scope: 'key',
        provider: 'litellm',
        used: { currency: 'USD', amount_micros: 5 },
        as_of: '2026-11-28T21:00:00Z',
      },
    ];
    await cache.write('endpoint https://a', {
      source: 'endpoint',
      document: DOC,
      etag: '"e"',
      fetchedAt: '2026-11-28T21:00:00.000Z',
      unbudgeted,
    });
    const back = await cache.read('endpoint https://a');
    assert.deepEqual(back, {
      source: 'endpoint',
      document: DOC,
      etag: '"e"',
      fetchedAt: '2026-11-28T21:00:00.000Z',
      unbudgeted,
    });
    const file = cache.fileFor('endpoint https://a');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await cache.read('endpoint https://b'), undefined, 'another source must not see this entry');
  });

  it('ignores a torn, foreign or invalid file instead of showing it', async () => {
    const cache = new BandsCache(dir.path);
    const file = cache.fileFor('k');
    await cache.write('k', { source: 'endpoint', document: DOC, fetchedAt: '2026-11-28T21:00:00.000Z' });
    const whole = readFileSync(file, 'utf8');
    writeFileSync(file, whole.slice(0, whole.length / 2));
    assert.equal(await cache.read('k'), undefined);
    writeFileSync(file, whole.replace('"source_key":"k"', '"source_key":"other"'));
    assert.equal(await cache.read('k'), undefined);
    writeFileSync(file, whole.replace('"amount_micros":150000000', '"amount_micros":1.5'));
    assert.equal(await cache.read('k'), undefined);
  });

  it('survives many concurrent writers: one whole document wins, no temp files are left', async () => {
    const cache = new BandsCache(dir.path);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        cache.write('k', {
          source: 'endpoint',
          document: { ...DOC, developer: { id: `u${i}` } },
          fetchedAt: '2026-11-28T21:00:00.000Z',
        }),
      ),
    );
    const read = await cache.read('k');
    assert.match(read!.document.developer.id, /^u\d+$/);
    assert.deepEqual(
      readdirSync(dir.path).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.equal(readdirSync(dir.path).length, 1);
  });

  it('a leftover temp file of a crashed write does not disturb reading the last good one', async () => {
    const cache = new BandsCache(dir.path);
    await cache.write('k', { source: 'endpoint', document: DOC, fetchedAt: '2026-11-28T21:00:00.000Z' });
    writeFileSync(`${cache.fileFor('k')}.999.deadbeef.tmp`, '{"version":1,"sou');
    assert.equal((await cache.read('k'))!.document.developer.id, 'u_42');
  });

  it('holds no token, even when the server echoes it into the document', async () => {
    const token = makeToken();
    const server = await startServer((req, res) =>
      sendJson(res, 200, { ...DOC, developer: { id: 'u_42', display_name: `Ada ${req.headers.authorization}` } }),
    );
    try {
      const result = await loadBands(
        { kind: 'endpoint', baseUrl: server.url, token, env: {} },
        { now: new Date('2026-11-28T21:00:00Z'), cacheDir: dir.path },
      );
      assert.equal(server.requests[0]!.headers.authorization, `Bearer ${token}`);
      assert.equal(result.document.developer.display_name, 'Ada Bearer [redacted]');
      const files = readdirSync(dir.path);
      assert.equal(files.length, 1);
      const text = readFileSync(join(dir.path, files[0]!), 'utf8');
      assert.ok(text.includes('Ada Bearer [redacted]'));
      assert.ok(!text.includes(token));
    } finally {
      await server.close();
    }
  });
});

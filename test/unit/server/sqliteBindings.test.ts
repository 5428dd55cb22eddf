// The two SQLite bindings behind the embedded engine: node:sqlite (built into Node ≥ 22.13) and
// better-sqlite3 (a native module, the fallback on Node 20). The whole server suite runs on whichever
// this Node picks (node:sqlite on Node 24, better-sqlite3 on Node 20); this file runs the engine on
// each binding this Node can load, on the same file, so both are held to the same behaviour.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultSqliteOpener,
  loadNodeSqlite,
  openBetterSqlite,
  openNodeSqlite,
  SqliteEngine,
  type SqliteOpener,
} from '../../../src/server/storage/sqliteEngine';

function betterSqliteLoads(): boolean {
  try {
    openBetterSqlite(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

const BINDINGS: [string, SqliteOpener, () => boolean][] = [
  ['better-sqlite3', openBetterSqlite, betterSqliteLoads],
  ['node:sqlite', openNodeSqlite, () => loadNodeSqlite() !== undefined],
];

for (const [name, opener, available] of BINDINGS) {
  describe(`reference server: SQLite through ${name}`, () => {
    let dir: string;
    before(function () {
      if (!available()) this.skip();
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'spend-band-sqlite-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('migrates, answers plain rows, rolls back a failed transaction, and sees another connection commit', async () => {
      const path = join(dir, 'server.db');
      const a = SqliteEngine.open(path, opener);
      const b = SqliteEngine.open(path, opener);
      try {
        assert.equal(a.driver, name);
        await a.run("INSERT INTO roles (id, label) VALUES ('eng', 'Engineer')");
        const row = await a.get<{ id: string; label: string }>('SELECT id, label FROM roles WHERE id = ?', ['eng']);
        assert.deepEqual(row, { id: 'eng', label: 'Engineer' }, 'a plain object');
        assert.equal(Object.getPrototypeOf(row), Object.prototype);
        await assert.rejects(
          a.transaction(async () => {
            await a.run("INSERT INTO roles (id) VALUES ('ops')");
            throw new Error('abandon');
          }),
          /abandon/,
        );
        assert.equal(await a.get("SELECT id FROM roles WHERE id = 'ops'"), undefined, 'rolled back');
        const before = await a.changeToken();
        await b.run("INSERT INTO roles (id) VALUES ('data')");
        assert.notEqual(await a.changeToken(), before, 'the other connection committed');
        const big = 1_764_000_000_123;
        await a.run("INSERT INTO developers (id, role_id, created_ms) VALUES ('ana', 'eng', ?)", [big]);
        assert.deepEqual(
          await b.all('SELECT created_ms FROM developers'),
          [{ created_ms: big }],
          'milliseconds stay exact integers',
        );
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

describe('reference server: which SQLite binding', () => {
  it('prefers node:sqlite where this Node has it, and SPEND_BAND_SQLITE chooses', () => {
    assert.equal(defaultSqliteOpener({}), loadNodeSqlite() ? openNodeSqlite : openBetterSqlite);
    assert.equal(defaultSqliteOpener({ SPEND_BAND_SQLITE: 'better-sqlite3' }), openBetterSqlite);
    assert.equal(defaultSqliteOpener({ SPEND_BAND_SQLITE: 'node' }), openNodeSqlite);
  });
});

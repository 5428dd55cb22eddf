import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowSession } from '../../../src/domain/session';
import { SessionJournal, sessionVersion } from '../../../src/flows/sessions/sessionJournal';

const s = (id: string, end: string | null, workflow = 'review'): WorkflowSession => ({
  id,
  workflow,
  start: '2026-11-28T09:00:00.000Z',
  end,
});

describe('session journal (real files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends records at once; a later record with the same id wins', async () => {
    const journal = new SessionJournal(join(dir, 'sessions.jsonl'));
    await journal.append([s('a', null)]);
    assert.equal(
      readFileSync(journal.path, 'utf8').trim().split('\n').length,
      1,
      'written before the promise resolves',
    );
    await journal.append([s('a', '2026-11-28T10:00:00.000Z'), s('b', null, 'research')]);
    const { sessions, corruptLines } = await new SessionJournal(journal.path).read();
    assert.equal(corruptLines, 0);
    assert.deepEqual(
      sessions.map((x) => [x.id, x.end]),
      [
        ['a', '2026-11-28T10:00:00.000Z'],
        ['b', null],
      ],
    );
  });

  it('survives a line torn by a crash: skips it, counts it, and keeps the next record whole', async () => {
    const path = join(dir, 'sessions.jsonl');
    writeFileSync(path, `${JSON.stringify(s('a', null))}\n{"id":"b","workflow":"rev`);
    const journal = new SessionJournal(path);
    await journal.append([s('c', null, 'research')]);
    const { sessions, corruptLines } = await journal.read();
    assert.equal(corruptLines, 1);
    assert.deepEqual(
      sessions.map((x) => x.id),
      ['a', 'c'],
    );
  });

  it('reads heartbeats as the last sign of life of open sessions', async () => {
    const journal = new SessionJournal(join(dir, 'sessions.jsonl'));
    await journal.append([s('a', null)]);
    await journal.heartbeat('a', new Date('2026-11-28T09:05:00Z'));
    await journal.heartbeat('a', new Date('2026-11-28T09:06:00Z'));
    const { lastSeen, sessions } = await journal.read();
    assert.equal(sessions.length, 1);
    assert.equal(lastSeen.get('a'), Date.parse('2026-11-28T09:06:00Z'));
  });

  it('compacts to one record per session, dropping old closed ones, atomically', async () => {
    const journal = new SessionJournal(join(dir, 'sessions.jsonl'));
    await journal.append([
      s('old', '2025-01-01T00:00:00.000Z'),
      s('a', null),
      s('a', '2026-11-28T10:00:00.000Z'),
      s('b', null),
    ]);
    await journal.heartbeat('b', new Date('2026-11-28T09:30:00Z'));
    await journal.compact(Date.parse('2026-01-01T00:00:00Z'));
    const text = readFileSync(journal.path, 'utf8');
    assert.equal(text.trim().split('\n').length, 3, text);
    const { sessions, lastSeen } = await journal.read();
    assert.deepEqual(
      sessions.map((x) => x.id),
      ['a', 'b'],
    );
    assert.equal(lastSeen.get('b'), Date.parse('2026-11-28T09:30:00Z'));
    appendFileSync(journal.path, '');
  });

  it('fingerprints what the server acknowledged: a changed end is a new version', () => {
    assert.notEqual(sessionVersion(s('a', null)), sessionVersion(s('a', '2026-11-28T10:00:00.000Z')));
    assert.equal(sessionVersion(s('a', null)), sessionVersion(s('a', null)));
  });
});

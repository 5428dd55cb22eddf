// The folder cache of a running meter, on real folders: it lists what a full listing lists after
// every kind of change, reads only folders whose stat changed, re-reads folders too recent to
// trust, and reads everything again at its safety interval. The clock is passed in (`now`), so
// that "long ago" needs no waiting; the folders and their times are real.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { listLogFiles, listLogFilesSync, type LogFile } from '../../../src/usage/scan/logFiles';
import { LogFolderCache } from '../../../src/usage/scan/logFolderCache';
import { appendLines, claudeLine, tempDir, writeLines, type TempDir } from './usageTestKit';

const line = (id: string) => claudeLine({ msgId: id, requestId: id, timestamp: '2026-11-02T10:00:00Z', output: 1 });
const paths = (files: LogFile[]) => files.map((f) => `${f.agent} ${f.path}`);

describe('usage: log folder cache', function () {
  this.timeout(30_000);
  let dir: TempDir;
  let claude: string;
  let codexHome: string;
  let clock: number;
  /** folders in the tree below: projects, p1, p1/s1, p1/s1/subagents, p2, sessions/2026/11/02 (4), archived_sessions */
  const FOLDERS = 10;
  beforeEach(() => {
    dir = tempDir();
    claude = join(dir.path, 'claude');
    codexHome = join(dir.path, 'codex');
    writeLines(join(claude, 'projects', 'p1', 's1.jsonl'), [line('a')]);
    writeLines(join(claude, 'projects', 'p1', 's1', 'subagents', 'agent-1.jsonl'), [line('b')]);
    writeLines(join(claude, 'projects', 'p2', 's2.jsonl'), [line('c')]);
    writeLines(join(codexHome, 'sessions', '2026', '11', '02', 'rollout-1.jsonl'), ['{}']);
    writeLines(join(codexHome, 'archived_sessions', 'rollout-0.jsonl'), ['{}']);
    // Every folder's times are older than the settle margin, as in a history written earlier.
    clock = Date.now() + 3_600_000;
  });
  afterEach(() => dir.remove());

  const cache = (options: ConstructorParameters<typeof LogFolderCache>[2] = {}) =>
    new LogFolderCache([claude], [codexHome], { now: () => clock, ...options });
  const full = () => paths(listLogFilesSync([claude], [codexHome]));

  it('lists what a full listing lists, sorted, with both the synchronous and the non-blocking walk', async () => {
    const c = cache();
    const first = c.listSync();
    assert.deepEqual(paths(first), full());
    assert.equal(first.length, 5);
    assert.equal(c.foldersRead, FOLDERS);
    assert.deepEqual(paths(await cache().list()), paths(await listLogFiles([claude], [codexHome])));
    assert.deepEqual(
      paths(first),
      paths(first)
        .slice()
        .sort((a, b) => (a.split(' ')[1]! < b.split(' ')[1]! ? -1 : 1)),
    );
  });

  it('more folders on one level than one batch of non-blocking reads: the same list', async () => {
    for (let i = 0; i < 150; i++) writeLines(join(claude, 'projects', `q${i}`, `s${i}.jsonl`), [line(`q${i}`)]);
    const c = cache();
    const listed = await c.list();
    assert.deepEqual(paths(listed), full());
    assert.equal(listed.length, 155);
    assert.equal(c.foldersRead, FOLDERS + 150);
    writeLines(join(claude, 'projects', 'q149', 'late.jsonl'), [line('late')]);
    assert.deepEqual(paths(await c.list()), full());
    assert.equal(c.foldersRead, 1);
  });

  it('reads no folder while nothing changed, and hands out the same list; an append changes no folder', async () => {
    const c = cache();
    const first = c.listSync();
    appendLines(join(claude, 'projects', 'p1', 's1.jsonl'), [line('d')]);
    const second = c.listSync();
    assert.equal(c.foldersRead, 0);
    assert.equal(second, first);
    const third = await c.list();
    assert.equal(c.foldersRead, 0);
    assert.equal(third, first);
  });

  it('a new file in a settled folder is listed, reading that folder only', () => {
    const c = cache();
    c.listSync();
    writeLines(join(claude, 'projects', 'p1', 's1', 'subagents', 'agent-2.jsonl'), [line('e')]);
    const after = c.listSync();
    assert.deepEqual(paths(after), full());
    assert.ok(after.some((f) => f.path.endsWith('agent-2.jsonl')));
    assert.equal(c.foldersRead, 1);
  });

  it('a new session folder, a new project, and a new Codex day are listed', async () => {
    const c = cache();
    c.listSync();
    writeLines(join(claude, 'projects', 'p2', 's3', 'subagents', 'agent-3.jsonl'), [line('f')]);
    writeLines(join(claude, 'projects', 'p3', 's4.jsonl'), [line('g')]);
    writeLines(join(codexHome, 'sessions', '2026', '11', '03', 'rollout-2.jsonl'), ['{}']);
    assert.deepEqual(paths(await c.list()), full());
    assert.equal(full().length, 8);
  });

  it('a deleted file, a deleted project folder and a vanished root are gone from the list', () => {
    const c = cache();
    c.listSync();
    unlinkSync(join(claude, 'projects', 'p2', 's2.jsonl'));
    rmSync(join(claude, 'projects', 'p1', 's1'), { recursive: true });
    assert.deepEqual(paths(c.listSync()), full());
    assert.equal(full().length, 3);
    rmSync(join(codexHome, 'sessions'), { recursive: true });
    rmSync(join(claude, 'projects'), { recursive: true });
    assert.deepEqual(paths(c.listSync()), full());
    assert.equal(full().length, 1, 'the archived rollout');
    writeLines(join(claude, 'projects', 'p9', 's9.jsonl'), [line('h')]);
    assert.deepEqual(paths(c.listSync()), full());
    assert.equal(full().length, 2);
  });

  it('a root replaced by another folder (a renamed config dir) is read again', () => {
    const c = cache();
    c.listSync();
    writeLines(join(dir.path, 'other', 'projects', 'q', 'x.jsonl'), [line('i')]);
    renameSync(join(claude, 'projects'), join(dir.path, 'old-projects'));
    renameSync(join(dir.path, 'other', 'projects'), join(claude, 'projects'));
    const after = c.listSync();
    assert.deepEqual(paths(after), full());
    assert.ok(after.some((f) => f.path.endsWith('x.jsonl')));
    assert.ok(!after.some((f) => f.path.endsWith('s1.jsonl')));
  });

  it('a folder whose times were recent when it was read is read again until they are not', () => {
    clock = Date.now();
    const c = cache({ settleMs: 60_000 });
    c.listSync();
    assert.equal(c.foldersRead, FOLDERS);
    const second = c.listSync();
    assert.equal(c.foldersRead, FOLDERS, 'all were recent: all are read again');
    clock += 120_000;
    const third = c.listSync();
    assert.equal(c.foldersRead, FOLDERS, 'read once more now that their times are old enough');
    assert.equal(third, second, 'same entries: the same list');
    c.listSync();
    assert.equal(c.foldersRead, 0);
    mkdirSync(join(claude, 'projects', 'p4'));
    writeLines(join(claude, 'projects', 'p4', 's5.jsonl'), [line('j')]);
    clock = Date.now();
    assert.deepEqual(paths(c.listSync()), full());
    assert.equal(c.foldersRead, 2, 'projects (a new entry) and p4 (new)');
    c.listSync();
    assert.equal(c.foldersRead, 2, 'both changed a moment ago on the real clock: read again');
  });

  it('reads every folder again at its safety interval, whatever their times say', () => {
    const c = cache({ fullRelistMs: 60_000 });
    c.listSync();
    c.listSync();
    assert.equal(c.foldersRead, 0);
    clock += 59_000;
    c.listSync();
    assert.equal(c.foldersRead, 0);
    clock += 2_000;
    assert.deepEqual(paths(c.listSync()), full());
    assert.equal(c.foldersRead, FOLDERS);
  });
});

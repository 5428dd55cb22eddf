// Holds what every view renders (the last bands snapshot, loading, the last error) and refreshes it: on
// start (never blocking activation), on a jittered timer, on demand and on config change. Windows share
// one poller (PollerLock) and one state file: whoever refreshes writes it, every window renders it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, basename } from 'node:path';
import * as vscode from 'vscode';
import type { UnbudgetedSpend } from '../api/unbudgetedSpend';
import type { BandsDocument } from '../domain/schemas';
import { PollerLock } from '../flows/bands/pollerLock';

export interface SnapshotError {
  kind: string;
  message: string;
}

/** What the views render. `source: 'none'` = nothing configured (the welcome view). */
export interface BandsSnapshot {
  source: string;
  document: BandsDocument | undefined;
  stale: boolean;
  /** when the document was fetched (ISO) */
  fetchedAt: string | undefined;
  error: SnapshotError | undefined;
  /** a stable fingerprint of the configuration that produced it */
  configKey: string;
  /** spend on layers without a limit (LiteLLM max_budget null, OpenRouter limit null): shown, never turned into a band */
  unbudgeted?: UnbudgetedSpend[] | undefined;
}

export type SnapshotLoader = (signal: AbortSignal) => Promise<BandsSnapshot>;

interface SharedState {
  snapshot: BandsSnapshot;
  writtenAt: number;
  writer: string;
}

export class BandsService implements vscode.Disposable {
  private snapshotValue: BandsSnapshot | undefined;
  private loadingValue = false;
  private inFlight: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private lastWrittenAt = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly lock: PollerLock;
  private readonly statePath: string;
  private disposed = false;
  private firstRefresh: Promise<void> | undefined;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly storageDir: string,
    private readonly windowId: string,
    private readonly load: SnapshotLoader,
    private readonly configKey: () => string,
    private readonly intervalMs: () => number,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.statePath = `${storageDir}/bands-state.json`;
    this.lock = new PollerLock(`${storageDir}/poller.lock`, windowId, 3 * 60_000);
  }

  get snapshot(): BandsSnapshot | undefined {
    return this.snapshotValue;
  }

  get loading(): boolean {
    return this.loadingValue;
  }

  /** Start: show what another window (or the last session) saw, refresh in the background, schedule. */
  start(): void {
    void this.readShared().then((shared) => {
      if (shared && shared.snapshot.configKey === this.configKey() && !this.snapshotValue)
        this.apply(shared.snapshot, shared.writtenAt);
    });
    this.watchShared();
    this.firstRefresh = this.refresh('start');
    this.schedule();
  }

  /** Resolves after the first refresh finished (tests and the exported API wait on it). */
  whenReady(): Promise<void> {
    return this.firstRefresh ?? Promise.resolve();
  }

  /** Refresh now; concurrent calls share one request. */
  refresh(reason: string): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.loadingValue = true;
    this.emitter.fire();
    this.controller = new AbortController();
    const signal = this.controller.signal;
    const started = Date.now();
    this.inFlight = this.load(signal)
      .then(async (snapshot) => {
        if (this.disposed) return;
        const writtenAt = Date.now();
        this.apply(snapshot, writtenAt);
        this.log.info(
          `Refreshed (${reason}) from ${snapshot.source} in ${writtenAt - started} ms` +
            (snapshot.error
              ? `; ${snapshot.stale ? 'showing stale data: ' : ''}${snapshot.error.kind}: ${snapshot.error.message}`
              : ''),
        );
        await this.writeShared(snapshot, writtenAt);
      })
      .catch((error: unknown) => {
        if (this.disposed) return;
        const message = error instanceof Error ? error.message : String(error);
        this.log.error(`Refresh (${reason}) failed: ${message}`);
        const previous = this.snapshotValue;
        this.apply(
          {
            source: previous?.source ?? 'none',
            document: previous?.document,
            stale: previous?.document !== undefined,
            fetchedAt: previous?.fetchedAt,
            error: { kind: (error as { kind?: string }).kind ?? 'internal', message },
            configKey: this.configKey(),
          },
          Date.now(),
        );
      })
      .finally(() => {
        this.loadingValue = false;
        this.inFlight = undefined;
        this.controller = undefined;
        if (!this.disposed) this.emitter.fire();
      });
    return this.inFlight;
  }

  /** Configuration changed: drop what no longer applies and fetch again. */
  reconfigure(): void {
    this.controller?.abort();
    this.inFlight = undefined;
    if (this.snapshotValue && this.snapshotValue.configKey !== this.configKey()) {
      this.snapshotValue = undefined;
      this.emitter.fire();
    }
    void this.refresh('configuration changed');
    this.schedule();
  }

  private apply(snapshot: BandsSnapshot, writtenAt: number): void {
    this.snapshotValue = snapshot;
    this.lastWrittenAt = Math.max(this.lastWrittenAt, writtenAt);
    this.emitter.fire();
  }

  /** The next timer refresh, jittered ±10 % so windows and machines do not poll in step. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const base = this.intervalMs();
    const delay = Math.round(base * (0.9 + Math.random() * 0.2));
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    if (this.disposed) return;
    try {
      if (await this.lock.acquire(Date.now())) await this.refresh('timer');
      else this.log.debug('Another window holds the poller lock; rendering its state.');
    } catch (error) {
      this.log.warn(`Timer refresh skipped: ${(error as Error).message}`);
    } finally {
      if (!this.disposed) this.schedule();
    }
  }

  private async readShared(): Promise<SharedState | undefined> {
    try {
      const state = JSON.parse(await readFile(this.statePath, 'utf8')) as SharedState;
      return state && state.snapshot && typeof state.writtenAt === 'number' ? state : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeShared(snapshot: BandsSnapshot, writtenAt: number): Promise<void> {
    try {
      await mkdir(dirname(this.statePath), { recursive: true });
      const temp = `${this.statePath}.${this.windowId}.tmp`;
      const state: SharedState = { snapshot, writtenAt, writer: this.windowId };
      await writeFile(temp, JSON.stringify(state));
      await rename(temp, this.statePath);
    } catch (error) {
      this.log.warn(`Could not share the bands state with other windows: ${(error as Error).message}`);
    }
  }

  private watchShared(): void {
    try {
      this.watcher = watch(this.storageDir, (_event, file) => {
        if (file !== basename(this.statePath)) return;
        void this.readShared().then((state) => {
          if (!state || state.writer === this.windowId || state.writtenAt <= this.lastWrittenAt) return;
          if (state.snapshot.configKey !== this.configKey()) return;
          this.apply(state.snapshot, state.writtenAt);
        });
      });
      this.watcher.on('error', () => undefined);
    } catch (error) {
      this.log.warn(`Not watching other windows' refreshes: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.controller?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    void this.lock.release();
    this.emitter.dispose();
  }
}

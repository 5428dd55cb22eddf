// Local metering in the extension: the agent logs on this machine (Claude Code, Codex) are scanned in a
// worker thread, so the extension host never blocks; the first full scan shows progress. Usage is
// attributed to tagged sessions and so to local bands.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LocalUsage } from '../domain/localConfig';
import { periodContaining, systemTimeZone, type PeriodInterval } from '../domain/period';
import type { WorkflowSession } from '../domain/session';
import { usedByWorkflow } from '../usage/usageRows';
import { defaultClaudeDirs, defaultCodexDirs, usageIndexPath } from '../usage/scan/logFiles';
import { UsageMeter } from '../usage/usageMeter';
import type { UsageSnapshot } from '../usage/usageSnapshot';
import type { Config } from './config';

/** Snapshots younger than this are reused instead of rescanning (the incremental scan is cheap, but not free). */
const FRESH_MS = 30_000;

export class UsageService implements vscode.Disposable {
  private meter: UsageMeter | undefined;
  private meterKey = '';
  private last: UsageSnapshot | undefined;
  private lastAt = 0;
  private running: Promise<UsageSnapshot | undefined> | undefined;
  private firstScanDone = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly extensionPath: string,
    private readonly storageDir: string,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private ensureMeter(): UsageMeter {
    const claudeDirs = this.config.get('spendBand.usage.claudeDirs');
    const codexDirs = this.config.get('spendBand.usage.codexDirs');
    const dirs = {
      claudeDirs: claudeDirs.length > 0 ? claudeDirs : defaultClaudeDirs(process.env),
      codexDirs: codexDirs.length > 0 ? codexDirs : defaultCodexDirs(process.env),
    };
    const key = JSON.stringify(dirs);
    if (!this.meter || key !== this.meterKey) {
      void this.meter?.dispose();
      this.meter = new UsageMeter({
        ...dirs,
        statePath: usageIndexPath(this.storageDir, dirs.claudeDirs, dirs.codexDirs),
        workerScript: join(this.extensionPath, 'dist', 'scanWorker.js'),
      });
      this.meterKey = key;
      this.firstScanDone = false;
      this.last = undefined;
    }
    return this.meter;
  }

  /** The next snapshot() scans again (a refresh the person asked for). */
  invalidate(): void {
    this.lastAt = 0;
  }

  /** The latest usage; scans incrementally when the last snapshot is older than 30 s. */
  snapshot(): Promise<UsageSnapshot | undefined> {
    if (!this.config.get('spendBand.usage.enabled')) return Promise.resolve(undefined);
    if (this.last && Date.now() - this.lastAt < FRESH_MS) return Promise.resolve(this.last);
    this.running ??= this.scan().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scan(): Promise<UsageSnapshot | undefined> {
    const meter = this.ensureMeter();
    const run = (onProgress?: (p: { filesDone: number; filesTotal: number }) => void) =>
      meter.refresh({ signal: this.controller.signal, ...(onProgress ? { onProgress } : {}) });
    try {
      let snapshot: UsageSnapshot;
      if (!this.firstScanDone) {
        snapshot = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Spend Band: reading agent logs' },
          (progress) => {
            let reported = 0;
            return run((p) => {
              const percent = p.filesTotal > 0 ? Math.floor((p.filesDone / p.filesTotal) * 100) : 0;
              if (percent > reported) {
                progress.report({ message: `${p.filesDone}/${p.filesTotal} files`, increment: percent - reported });
                reported = percent;
              }
            });
          },
        );
        this.firstScanDone = true;
        this.log.info(
          `Read the agent logs: ${snapshot.stats.filesRead} files, ${(snapshot.stats.bytesRead / 1_048_576).toFixed(1)} MiB in ${snapshot.stats.durationMs} ms` +
            (snapshot.skippedLines > 0 ? `; skipped ${snapshot.skippedLines} unreadable line(s)` : '') +
            (snapshot.unpricedModels.length > 0
              ? `; no price for ${snapshot.unpricedModels.map((m) => m.model).join(', ')}`
              : ''),
        );
      } else {
        snapshot = await run();
      }
      this.last = snapshot;
      this.lastAt = Date.now();
      return snapshot;
    } catch (error) {
      this.log.warn(
        `Reading the agent logs failed: ${(error as Error).message}. Local usage shows the last known figures.`,
      );
      return this.last;
    }
  }

  /** Usage per workflow class in each local band's current period, for the local source. */
  async localUsage(sessions: () => readonly WorkflowSession[]): Promise<LocalUsage> {
    const now = new Date();
    const snapshot = await this.snapshot();
    if (!snapshot) return { usedByWorkflow: new Map(), asOf: now };
    const zone = this.config.get('spendBand.local.timezone') || systemTimeZone();
    const used = new Map<string, number>();
    // Each band may have its own period; compute per interval and keep each class's figure for its band.
    const intervals = new Set<PeriodInterval>(
      this.config.get('spendBand.local.bands').map((b) => (b.period ?? 'P1M') as PeriodInterval),
    );
    for (const interval of intervals) {
      const period = periodContaining(interval, now, zone);
      const byClass = usedByWorkflow(snapshot, sessions(), new Date(period.start), new Date(period.end));
      for (const band of this.config.get('spendBand.local.bands')) {
        if ((band.period ?? 'P1M') !== interval) continue;
        if (band.workflow === 'all')
          used.set(
            'all',
            [...byClass.values()].reduce((a, b) => a + b, 0),
          );
        else used.set(band.workflow, byClass.get(band.workflow) ?? 0);
      }
    }
    return { usedByWorkflow: used, asOf: new Date(snapshot.asOf), provider: 'local_logs' };
  }

  dispose(): void {
    this.controller.abort();
    void this.meter?.dispose();
  }
}

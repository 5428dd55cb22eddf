// The composition root: builds every service once, wires their events, registers each disposable where
// it is created (disposal runs in reverse). No DI container, no global singleton.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import * as vscode from 'vscode';
import { resolveWorkflowClasses, workflowClassFor, type WorkflowClass } from '../domain/workflowClasses';
import { BandsService, type BandsSnapshot } from './bandsService';
import { BandsTree } from './bandsTree';
import { COMMANDS } from './commandTable';
import { Config } from './config';
import { officialLine } from '../domain/officialFigures';
import { defaultCacheDir, readAgentState, rememberBandsCacheDir } from '../flows/agents/agentState';
import { installClaudeHook } from './claudeHookCommand';
import { copyCliCommand } from './cliCommand';
import { ConnectPrompts, connectEndpoint, signOut, useLocalBands, type ConnectArgs } from './connectCommands';
import { CONTEXT_KEYS } from './contextKeys';
import { LocalLedger } from '../flows/requests/requestOutbox';
import { RequestsService } from './requestsService';
import { RequestsTree } from './requestsTree';
import { SessionJournal } from '../flows/sessions/sessionJournal';
import { SessionsTree } from './sessionsTree';
import { SessionTracker } from './sessionTracker';
import { SessionUploader } from '../flows/sessions/sessionUploader';
import {
  checkConnection,
  createSnapshotLoader,
  configKeyOf,
  createClient,
  importHandedOverToken,
  selfSetIncreases,
} from './snapshotLoader';
import type { FeatureDeps } from './featureDeps';
import { registerPreflight, type PreflightFeature } from './preflightFeature';
import { registerReport } from './reportFeature';
import { registerRequests } from './requestFeature';
import { UsageService } from './usageService';
import { walkTree, type AnyTree, type TreeItemView } from './treeInspection';
import { pickWorkflow } from './workflowPicker';
import { currentQuickInput } from './multiStepInput';
import { StatusBar } from './statusBar';
import { ThresholdNotifier } from './thresholdNotifier';
import { TokenStore } from './tokenStore';
import { isTokenSecretKey, readState, writeState } from './storageKeys';
import { recentNotifications } from './notify';

/** What activate() returns: other extensions and the integration tests read it. */
/** What activate() returns: what other extensions and agents may rely on. */
export interface SpendBandApi {
  /** a pre-flight decision for a run (other extensions and agents call this before spawning work) */
  checkRun: PreflightFeature['checkRun'];
  /** the bands on screen (undefined before the first answer) */
  snapshot(): BandsSnapshot | undefined;
  /** the workflow class of this window */
  currentWorkflow(): string;
}

/** The command that hands the integration tests their hooks; registered only in ExtensionMode.Test. */
export const TEST_HOOKS_COMMAND = 'spendBand.test.hooks';

/** What the integration tests read and drive; never part of the API returned by activate(). */
export interface SpendBandTestHooks extends SpendBandApi {
  readonly activationMs: number;
  whenReady(): Promise<void>;
  statusBarText(): string;
  /** the gauge's tooltip (Markdown), with the agent's official figures when recorded */
  statusBarTooltip(): string;
  statusBarBackground(): string | undefined;
  sessions(): readonly import('../domain/session').WorkflowSession[];
  /** upload pending sessions now; resolves with how many the server accepted */
  flushSessions(): Promise<number>;
  requests(): readonly import('../domain/schemas').Request[];
  refresh(): Promise<void>;
  /** what the views and inputs show, for the tests that drive the real UI */
  readonly inspect: {
    quickInput(): vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox | undefined;
    treeItems(view: 'bands' | 'requests' | 'sessions'): Promise<TreeItemView[]>;
    /** the last notification texts shown, as VS Code was given them (newest last) */
    notifications(): readonly string[];
  };
}

export class Services implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  readonly config: Config;
  readonly tokens: TokenStore;
  readonly bands: BandsService;
  readonly tracker: SessionTracker;
  readonly statusBar: StatusBar;
  readonly requests: RequestsService;
  private readonly uploader: SessionUploader;
  private readonly notifier: ThresholdNotifier;
  private readonly storageDir: string;
  private readonly uploadController = new AbortController();
  private uploadTimer: NodeJS.Timeout | undefined;
  readonly usage: UsageService;
  private readonly trees: Record<'bands' | 'requests' | 'sessions', AnyTree>;
  private readonly preflight: PreflightFeature;
  private readonly connectUi: ConnectPrompts;

  constructor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel) {
    this.log = log;
    this.storageDir = context.globalStorageUri.fsPath;
    this.config = this.own(new Config(log));
    this.tokens = new TokenStore(context.secrets);
    const windowId = randomUUID();
    const classes = (): readonly WorkflowClass[] =>
      resolveWorkflowClasses(this.config.get('spendBand.workflow.classes'));
    this.classes = classes;

    try {
      // So that `spend-band statusline` and `hook claude` in a terminal see the bands this window caches.
      rememberBandsCacheDir(defaultCacheDir(process.env), `${this.storageDir}/cache`, new Date());
    } catch (error) {
      log.warn(`Could not record the bands cache folder for the CLI's status line: ${(error as Error).message}`);
    }
    this.usage = this.own(new UsageService(context.extensionPath, this.storageDir, this.config, log));
    this.bands = this.own(
      new BandsService(
        this.storageDir,
        windowId,
        createSnapshotLoader({
          config: this.config,
          tokens: this.tokens,
          storageDir: this.storageDir,
          log,
          localUsage: () => this.usage.localUsage(() => this.tracker.sessions),
          localIncreases: () => selfSetIncreases(new LocalLedger(`${this.storageDir}/local-requests.json`), new Date()),
        }),
        () => configKeyOf(this.config),
        () => this.config.get('spendBand.refresh.intervalMinutes') * 60_000,
        log,
      ),
    );

    const journal = new SessionJournal(`${this.storageDir}/sessions.jsonl`);
    this.uploader = new SessionUploader(`${this.storageDir}/sessions-uploaded.json`, () => ({
      hashRepositoryNames: this.config.get('spendBand.privacy.hashRepositoryNames'),
      toolVersion: String(context.extension.packageJSON.version ?? '0'),
    }));
    const initialWorkflow =
      readState(context.globalState, 'currentWorkflow') ?? this.config.get('spendBand.workflow.default');
    this.tracker = this.own(
      new SessionTracker(
        journal,
        initialWorkflow,
        this.config.get('spendBand.sessions.idleMinutes') * 60_000,
        () => this.config.get('spendBand.workflow.rules'),
        log,
        () => this.scheduleUpload(2_000),
      ),
    );

    this.statusBar = this.own(new StatusBar());
    this.requests = this.own(
      new RequestsService(this.bands, () => this.clientForRequests(), this.storageDir, context.globalState, log),
    );
    this.notifier = new ThresholdNotifier(
      context.globalState,
      () => this.config.get('spendBand.notifications.thresholds'),
      classes,
      () => this.canRequestIncrease(),
    );
    this.trees = {
      bands: this.own(new BandsTree(this.bands, classes, () => this.tracker.workflow)),
      requests: this.own(new RequestsTree(this.requests)),
      sessions: this.own(new SessionsTree(this.tracker, classes)),
    };

    this.disposables.push(
      this.bands.onDidChange(() => this.onBandsChanged()),
      this.tracker.onDidChange(() => {
        void writeState(context.globalState, 'currentWorkflow', this.tracker.workflow);
        this.render();
      }),
      this.config.onDidChange(({ keys, effects }) => {
        log.info(`Settings changed: ${keys.join(', ')}.`);
        if (effects.has('rescan')) this.usage.invalidate();
        if (effects.has('refetch')) this.bands.reconfigure();
        if (effects.has('render')) this.render();
        if (effects.has('reload'))
          log.info('Some of these settings take effect in the next window (Developer: Reload Window).');
      }),
      this.tokens.onDidChange((e) => {
        if (isTokenSecretKey(e.key)) this.bands.reconfigure();
      }),
    );
    this.connectUi = this.own(new ConnectPrompts(context.extensionMode === vscode.ExtensionMode.Test));
    this.registerCommands();
    this.disposables.push(
      vscode.commands.registerCommand(COMMANDS.copyCliCommand, () => copyCliCommand(context.extensionPath)),
    );
    this.disposables.push(
      vscode.commands.registerCommand(COMMANDS.installClaudeHook, (settingsPath?: string) =>
        installClaudeHook(context.extensionPath, typeof settingsPath === 'string' ? settingsPath : undefined),
      ),
    );
    const deps = this.featureDeps(context);
    this.preflight = this.own(registerPreflight(deps));
    this.own(registerReport(deps));
    this.own(registerRequests(deps, this.requests));
  }

  private featureDeps(context: vscode.ExtensionContext): FeatureDeps {
    return {
      context,
      log: this.log,
      config: this.config,
      snapshot: () => this.bands.snapshot,
      onDidChangeSnapshot: this.bands.onDidChange,
      client: () => createClient(this.config, this.tokens),
      refreshBands: () => this.bands.refresh('feature'),
      currentWorkflow: () => this.tracker.workflow,
      setWorkflow: (workflow, origin) => this.tracker.setWorkflow(workflow, origin),
      sessions: () => this.tracker.sessions,
      classes: this.classes,
      usageSnapshot: () => this.usage.snapshot(),
      requestIncrease: async (bandId) => {
        await vscode.commands.executeCommand('spendBand.requestIncrease', bandId ? { bandId } : undefined);
      },
    };
  }

  readonly classes: () => readonly WorkflowClass[];

  private own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  /** Start background work; never awaits the network. */
  start(): void {
    this.render();
    void mkdir(this.storageDir, { recursive: true })
      .then(() => importHandedOverToken(this.config, this.tokens, this.log))
      .then(() => {
        this.bands.start();
        return this.tracker.start();
      })
      .then(() => this.scheduleUpload(5_000))
      .catch((error: unknown) => this.log.error(`Start-up failed: ${(error as Error).message}`));
  }

  private lastNotifiedFetch: string | undefined;

  private onBandsChanged(): void {
    this.render();
    const snapshot = this.bands.snapshot;
    void vscode.commands.executeCommand(
      'setContext',
      CONTEXT_KEYS.configured,
      snapshot !== undefined && snapshot.source !== 'none',
    );
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.stale, snapshot?.stale === true);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.canRequestIncrease, this.canRequestIncrease());
    void vscode.commands.executeCommand(
      'setContext',
      CONTEXT_KEYS.connected,
      snapshot !== undefined && snapshot.source !== 'none' && snapshot.source !== 'local',
    );
    if (snapshot?.document && !snapshot.stale && snapshot.fetchedAt !== this.lastNotifiedFetch) {
      this.lastNotifiedFetch = snapshot.fetchedAt;
      void this.notifier
        .check(snapshot.document.bands)
        .catch((error: unknown) => this.log.warn(`Threshold check failed: ${(error as Error).message}`));
    }
  }

  canRequestIncrease(): boolean {
    const snapshot = this.bands.snapshot;
    return snapshot?.document?.capabilities.increase_requests === true;
  }

  render(): void {
    this.statusBar.render({
      snapshot: this.bands.snapshot,
      loading: this.bands.loading,
      workflow: this.tracker.workflow,
      classes: this.classes(),
      mode: this.config.get('spendBand.statusBar.mode'),
      display: this.config.get('spendBand.statusBar.display'),
      official: officialLine(readAgentState(defaultCacheDir(process.env)), new Date()),
    });
  }

  private async clientForRequests() {
    const snapshot = this.bands.snapshot;
    if (!snapshot || snapshot.source !== 'endpoint' || !snapshot.document?.capabilities.increase_requests)
      return undefined;
    return createClient(this.config, this.tokens);
  }

  private scheduleUpload(delayMs: number): void {
    if (this.uploadTimer) return;
    this.uploadTimer = setTimeout(() => {
      this.uploadTimer = undefined;
      void this.uploadSessions().catch((error: unknown) => {
        this.log.warn(`Session upload postponed: ${(error as Error).message}`);
        this.scheduleUpload(60_000);
      });
    }, delayMs);
  }

  /** Upload pending sessions when the endpoint takes session tags; returns how many were accepted. */
  async uploadSessions(): Promise<number> {
    const snapshot = this.bands.snapshot;
    if (!snapshot || snapshot.source !== 'endpoint' || snapshot.document?.capabilities.session_tags !== true) return 0;
    const client = await createClient(this.config, this.tokens);
    if (!client) return 0;
    try {
      const outcome = await this.uploader.upload(
        this.tracker.sessions,
        (batch, key, signal) => client.postSessionTags(batch, key, { signal }),
        this.uploadController.signal,
      );
      if (outcome.sent > 0)
        this.log.info(
          `Sent ${outcome.sent} session tag(s): ${outcome.accepted} accepted, ${outcome.rejected.length} rejected.`,
        );
      for (const r of outcome.rejected) this.log.warn(`Session ${r.id} rejected by the endpoint: ${r.reason}`);
      return outcome.accepted;
    } finally {
      await client.close();
    }
  }

  private registerCommands(): void {
    const register = (id: string, handler: (...args: never[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, handler));
    register(COMMANDS.setWorkflow, async (workflow?: string) => {
      const chosen =
        typeof workflow === 'string' && workflow
          ? workflow
          : await pickWorkflow(this.classes(), this.tracker.workflow, this.bands.snapshot?.document);
      if (!chosen) return;
      this.tracker.setWorkflow(chosen);
      this.log.info(`Workflow class: ${workflowClassFor(chosen, this.classes()).label}`);
    });
    register(COMMANDS.refresh, () => {
      this.usage.invalidate();
      return vscode.window.withProgress({ location: { viewId: 'spendBand.bands' }, title: 'Refreshing bands' }, () =>
        Promise.all([this.bands.refresh('command'), this.requests.refresh()]),
      );
    });
    register(COMMANDS.connectEndpoint, (args?: ConnectArgs) =>
      connectEndpoint(
        {
          config: this.config,
          tokens: this.tokens,
          check: (source, url, token) => checkConnection(this.config, source, url, token),
          ui: this.connectUi,
          refresh: () => this.bands.refresh('connected'),
        },
        args,
      ),
    );
    register(COMMANDS.signOut, () => signOut(this.config, this.tokens, () => this.bands.refresh('signed out')));
    register(COMMANDS.useLocalBands, () => useLocalBands(this.config));
    register(COMMANDS.openView, () => vscode.commands.executeCommand('workbench.view.extension.spendBand'));
    register(COMMANDS.showLog, () => this.log.show());
    register(COMMANDS.dontRemindThisPeriod, async (target?: string | { band?: { id: string } }) => {
      const bandId = typeof target === 'string' ? target : target?.band?.id;
      const band = this.bands.snapshot?.document?.bands.find((b) => b.id === bandId);
      if (band) await this.notifier.snooze(band);
    });
  }

  api(): SpendBandApi {
    return {
      checkRun: (estimate) => this.preflight.checkRun(estimate),
      snapshot: () => this.bands.snapshot,
      currentWorkflow: () => this.tracker.workflow,
    };
  }

  testHooks(activationMs: number): SpendBandTestHooks {
    return {
      ...this.api(),
      activationMs,
      whenReady: () => this.bands.whenReady(),
      statusBarText: () => this.statusBar.lastGaugeText,
      statusBarTooltip: () => this.statusBar.lastGaugeTooltip,
      statusBarBackground: () => this.statusBar.lastGaugeBackground,
      sessions: () => this.tracker.sessions,
      flushSessions: () => this.uploadSessions(),
      requests: () => this.requests.requests,
      refresh: async () => {
        this.usage.invalidate();
        await this.bands.refresh('api');
        await this.requests.refresh();
      },
      inspect: {
        quickInput: currentQuickInput,
        treeItems: (view) => walkTree(this.trees[view]),
        notifications: () => [...recentNotifications],
      },
    };
  }

  /** Window closing: end the open session and flush the journal. */
  async shutdown(): Promise<void> {
    await this.tracker.close();
  }

  dispose(): void {
    this.uploadController.abort();
    if (this.uploadTimer) clearTimeout(this.uploadTimer);
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch (error) {
        this.log.warn(`Dispose failed: ${(error as Error).message}`);
      }
    }
  }
}

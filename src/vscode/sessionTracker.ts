// Tracks the developer's workflow sessions: the current class, idle, window close, branch changes and
// suggestion rules, driving the pure state machine and appending every transition to the journal at once.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  initialSessionState,
  nextSessionState,
  recoverOpenSessions,
  type SessionEvent,
  type SessionState,
} from '../domain/sessionMachine';
import type { WorkflowSession } from '../domain/session';
import { suggestWorkflow, type ActivityContext, type SuggestionRule } from '../domain/suggestionRules';
import type { SessionJournal } from '../flows/sessions/sessionJournal';
import { showInformationMessage } from './notify';

/** UUIDv7: time-ordered, so the server's index and the journal sort by start. */
export function uuidv7(nowMs = Date.now()): string {
  const bytes = randomBytes(16);
  const ts = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ts >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const HEARTBEAT_MS = 60_000;
const TICK_MS = 30_000;

interface GitRepository {
  state: { HEAD?: { name?: string }; onDidChange: vscode.Event<void> };
  rootUri: vscode.Uri;
}
interface GitApi {
  repositories: GitRepository[];
  onDidOpenRepository: vscode.Event<GitRepository>;
}

export class SessionTracker implements vscode.Disposable {
  private state: SessionState;
  private sessionsValue: WorkflowSession[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private lastHeartbeatMs = 0;
  private guardedTasks = 0;
  private lastSuggested: string | undefined;
  private dismissedSuggestions = new Set<string>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly journal: SessionJournal,
    initialWorkflow: string,
    idleMs: number,
    private readonly rules: () => readonly SuggestionRule[],
    private readonly log: vscode.LogOutputChannel,
    private readonly onRecords: (records: readonly WorkflowSession[]) => void,
  ) {
    this.state = initialSessionState(initialWorkflow, Date.now(), idleMs, { workspace: workspaceName() });
  }

  get workflow(): string {
    return this.state.workflow;
  }

  get current(): WorkflowSession | null {
    return this.state.current;
  }

  /** Every known session (from the journal plus this window's), sorted by start. */
  get sessions(): readonly WorkflowSession[] {
    return this.sessionsValue;
  }

  /** Read the journal, close sessions a crash left open, open this window's session. */
  async start(): Promise<void> {
    const contents = await this.journal.read();
    if (contents.corruptLines > 0)
      this.log.warn(`Session journal: skipped ${contents.corruptLines} unreadable line(s).`);
    const recovered = recoverOpenSessions(
      contents.sessions.filter((s) => s.end === null && this.isOrphan(s, contents.lastSeen)),
      contents.lastSeen,
      Date.now(),
    );
    if (recovered.length > 0) {
      this.log.info(
        `Closed ${recovered.length} session(s) left open by an earlier window or crash at their last heartbeat.`,
      );
      await this.journal.append(recovered);
    }
    // Sessions this window opened while the journal was being read stay (a switch can come first).
    this.sessionsValue = mergeSessions(mergeSessions(contents.sessions, recovered), this.sessionsValue);
    this.listen();
    this.dispatch({ type: 'activity', nowMs: Date.now(), newId: uuidv7() });
    this.tickTimer = setInterval(() => this.dispatch({ type: 'tick', nowMs: Date.now() }), TICK_MS);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
  }

  /**
   * An open session is an orphan when the extension host that recorded it is gone (it crashed, or its
   * window closed without a goodbye), or, for records without a process id, when nothing has said it
   * is alive for longer than a window would stay silent.
   */
  private isOrphan(session: WorkflowSession, lastSeen: ReadonlyMap<string, number>): boolean {
    if (session.pid !== undefined && session.pid !== process.pid) return !processAlive(session.pid);
    const seen = lastSeen.get(session.id) ?? Date.parse(session.start);
    return Date.now() - seen > 3 * HEARTBEAT_MS;
  }

  setWorkflow(workflow: string, origin: WorkflowSession['origin'] = 'user'): void {
    if (workflow === this.state.workflow && this.state.current) return;
    this.dispatch({ type: 'switch', workflow, nowMs: Date.now(), newId: uuidv7(), origin });
  }

  private dispatch(event: SessionEvent): void {
    const transition = nextSessionState(this.state, event);
    const state = transition.state;
    let records = transition.records;
    const changed = state !== this.state;
    this.state = state;
    if (records.length > 0) {
      records = records.map((r) => (r.end === null ? { ...r, pid: process.pid } : r));
      this.sessionsValue = mergeSessions(this.sessionsValue, records);
      this.journal
        .append(records)
        .catch((error: unknown) => this.log.error(`Could not write the session journal: ${(error as Error).message}`));
      this.onRecords(records);
    }
    if (records.length > 0 || (changed && event.type === 'switch')) this.emitter.fire();
  }

  private async heartbeat(): Promise<void> {
    const current = this.state.current;
    if (!current) return;
    // Only while active: an idle session is closed at its last activity anyway.
    if (Date.now() - this.state.lastActivityMs > this.state.idleMs) return;
    this.lastHeartbeatMs = Date.now();
    await this.journal
      .heartbeat(current.id, new Date(this.lastHeartbeatMs))
      .catch((error: unknown) => this.log.warn(`Heartbeat not written: ${(error as Error).message}`));
  }

  private activity = (): void => {
    this.dispatch({ type: 'activity', nowMs: Date.now(), newId: uuidv7() });
  };

  private listen(): void {
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection(this.activity),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.activity();
        this.evaluateRules();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && e.document.uri.scheme !== 'output') this.activity();
      }),
      vscode.window.onDidChangeWindowState((s) => {
        if (s.focused) this.activity();
      }),
      vscode.window.onDidOpenTerminal(this.activity),
      vscode.window.onDidChangeActiveTerminal(this.activity),
      vscode.window.onDidChangeTerminalState(this.activity),
      vscode.tasks.onDidStartTask((e) => {
        if (e.execution.task.definition.type === 'spendBand') {
          this.guardedTasks++;
          this.evaluateRules();
        }
      }),
      vscode.tasks.onDidEndTask((e) => {
        if (e.execution.task.definition.type === 'spendBand') {
          this.guardedTasks = Math.max(0, this.guardedTasks - 1);
          this.evaluateRules();
        }
      }),
    );
    const onStartShell = (vscode.window as { onDidStartTerminalShellExecution?: vscode.Event<unknown> })
      .onDidStartTerminalShellExecution;
    if (onStartShell) this.disposables.push(onStartShell(this.activity));
    void this.watchGit();
  }

  private async watchGit(): Promise<void> {
    try {
      const extension = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>('vscode.git');
      if (!extension) return;
      const git = (extension.isActive ? extension.exports : await extension.activate()).getAPI(1);
      const hook = (repo: GitRepository) => {
        this.disposables.push(repo.state.onDidChange(() => this.updateBranch(git)));
        this.updateBranch(git);
      };
      git.repositories.forEach(hook);
      this.disposables.push(git.onDidOpenRepository(hook));
    } catch (error) {
      this.log.debug(`Git branch not tracked: ${(error as Error).message}`);
    }
  }

  private updateBranch(git: GitApi): void {
    const branch = git.repositories[0]?.state.HEAD?.name;
    if (branch === this.state.branch) return;
    this.dispatch({ type: 'context', workspace: workspaceName(), branch, nowMs: Date.now(), newId: uuidv7() });
    this.evaluateRules();
  }

  /** Offer (or, for autoApply rules, apply) the class a rule suggests; never nag twice for the same one. */
  evaluateRules(): void {
    const context: ActivityContext = {
      branch: this.state.branch,
      reviewEditor: isReviewEditorActive(),
      guardedTask: this.guardedTasks > 0,
    };
    const suggestion = suggestWorkflow(this.rules(), context);
    if (!suggestion || suggestion.workflow === this.state.workflow) {
      this.lastSuggested = undefined;
      return;
    }
    const key = `${suggestion.ruleIndex}|${suggestion.workflow}|${context.branch ?? ''}`;
    if (suggestion.autoApply) {
      this.log.info(`Workflow class set to ${suggestion.workflow} by a rule: ${suggestion.reason}.`);
      this.setWorkflow(suggestion.workflow, 'rule');
      return;
    }
    if (this.lastSuggested === key || this.dismissedSuggestions.has(key)) return;
    this.lastSuggested = key;
    void showInformationMessage(
      `Switch the workflow class to ${suggestion.workflow}? (${suggestion.reason})`,
      'Switch',
      'Not now',
    ).then((choice) => {
      if (choice === 'Switch') this.setWorkflow(suggestion.workflow, 'rule');
      else this.dismissedSuggestions.add(key);
    });
  }

  /** Window closing: end the session now (synchronously queued; deactivate awaits the journal). */
  async close(): Promise<void> {
    this.dispatch({ type: 'close', nowMs: Date.now() });
    await this.journal.append([]);
  }

  dispose(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mergeSessions(existing: readonly WorkflowSession[], records: readonly WorkflowSession[]): WorkflowSession[] {
  const byId = new Map(existing.map((s) => [s.id, s]));
  for (const r of records) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function workspaceName(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.name ?? vscode.workspace.name;
}

function isReviewEditorActive(): boolean {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  return tab?.input instanceof vscode.TabInputTextDiff;
}

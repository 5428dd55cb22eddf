// The Sessions view: time per workflow class today and this week, and the recent tagged sessions.
import { startOfDay, startOfISOWeek } from 'date-fns';
import * as vscode from 'vscode';
import { dateTimeText } from '../domain/format';
import { timePerClass } from '../domain/sessionMachine';
import type { WorkflowSession } from '../domain/session';
import { workflowClassFor, type WorkflowClass } from '../domain/workflowClasses';
import type { SessionTracker } from './sessionTracker';

type Node =
  | { kind: 'group'; id: 'today' | 'week' | 'recent'; label: string }
  | { kind: 'class'; group: string; workflow: string; ms: number; sessions: number }
  | { kind: 'session'; session: WorkflowSession };

export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export class SessionsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<Node>;
  private readonly subscription: vscode.Disposable;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly tracker: SessionTracker,
    private readonly classes: () => readonly WorkflowClass[],
  ) {
    this.view = vscode.window.createTreeView('spendBand.sessions', { treeDataProvider: this });
    this.subscription = tracker.onDidChange(() => this.emitter.fire(undefined));
    // Open sessions grow: redraw the durations once a minute.
    this.timer = setInterval(() => this.emitter.fire(undefined), 60_000);
  }

  getChildren(node?: Node): Node[] {
    const now = Date.now();
    if (!node) {
      return [
        { kind: 'group', id: 'today', label: 'Today' },
        { kind: 'group', id: 'week', label: 'This week' },
        { kind: 'group', id: 'recent', label: 'Recent sessions' },
      ];
    }
    if (node.kind !== 'group') return [];
    const sessions = this.tracker.sessions;
    if (node.id === 'recent') {
      return [...sessions]
        .reverse()
        .slice(0, 20)
        .map((session) => ({ kind: 'session', session }));
    }
    const from = (node.id === 'today' ? startOfDay(now) : startOfISOWeek(now)).getTime();
    return timePerClass(sessions, from, now, now).map((t) => ({
      kind: 'class',
      group: node.id,
      workflow: t.workflow,
      ms: t.ms,
      sessions: t.sessions,
    }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const classes = this.classes();
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(
          node.label,
          node.id === 'recent' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `sessions:${node.id}`;
        const children = this.getChildren(node);
        if (node.id !== 'recent') {
          const total = children.reduce((acc, c) => acc + (c.kind === 'class' ? c.ms : 0), 0);
          item.description = children.length === 0 ? 'no tagged time yet' : durationText(total);
        }
        item.contextValue = 'sessionGroup';
        return item;
      }
      case 'class': {
        const cls = workflowClassFor(node.workflow, classes);
        const item = new vscode.TreeItem(cls.label);
        item.id = `sessions:${node.group}:${node.workflow}`;
        item.description = `${durationText(node.ms)} · ${node.sessions} session${node.sessions === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon(cls.icon);
        item.contextValue = 'sessionClass';
        return item;
      }
      case 'session': {
        const s = node.session;
        const cls = workflowClassFor(s.workflow, classes);
        const start = new Date(s.start);
        const end = s.end ? new Date(s.end) : undefined;
        const item = new vscode.TreeItem(`${cls.label}`);
        item.id = `session:${s.id}`;
        item.description = `${dateTimeText(start)} · ${end ? durationText(end.getTime() - start.getTime()) : 'open'}${s.branch ? ` · ${s.branch}` : ''}`;
        item.tooltip = `${cls.label} from ${dateTimeText(start)}${end ? ` to ${dateTimeText(end)}` : ' (open)'}${s.workspace ? `\nWorkspace: ${s.workspace}` : ''}${s.branch ? `\nBranch: ${s.branch}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(s.end ? cls.icon : 'record');
        item.contextValue = s.end ? 'session' : 'session:open';
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.view.dispose();
    this.emitter.dispose();
  }
}

// The `spendBand` task type: tasks.json entries ({ "type": "spendBand", "command", "args", "cwd",
// "agent", "workflow", "estimate" }) get a CustomExecution whose pseudoterminal runs the pre-flight
// before the command; and ready-made tasks for the agents found on the PATH (`claude -p`, `codex exec`).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import * as vscode from 'vscode';
import { KNOWN_AGENTS, type KnownAgent } from '../domain/runDecisionAgents';
import type { RunSpec } from './preflightRunner';
import { DEFAULT_RUN_WORKFLOW } from './preflightRunner';
import type { AgentRunTerminal } from './agentTaskTerminal';

export const TASK_TYPE = 'spendBand';

/** The task definition as package.json's taskDefinitions declares it; checked, because tasks.json is hand-written. */
export const SpendBandTaskSchema = z.object({
  type: z.literal(TASK_TYPE),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  agent: z.string().optional(),
  workflow: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a workflow class id such as background_automation')
    .optional(),
  estimate: z
    .object({
      usd: z.union([z.number().nonnegative(), z.string()]).optional(),
      tokens: z.number().int().positive().optional(),
      model: z.string().optional(),
    })
    .optional(),
});
export type SpendBandTaskDefinition = z.infer<typeof SpendBandTaskSchema>;

export function specOf(definition: SpendBandTaskDefinition): RunSpec {
  return {
    command: definition.command,
    args: definition.args ?? [],
    cwd: definition.cwd,
    agent: definition.agent,
    workflow: definition.workflow,
    estimate: definition.estimate,
  };
}

/** Where `command` is on the PATH, or undefined. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = join(dir, command + ext.toLowerCase());
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function agentsOnPath(env: NodeJS.ProcessEnv = process.env): KnownAgent[] {
  return KNOWN_AGENTS.filter((a) => findOnPath(a.command, env) !== undefined);
}

export type TerminalFactory = (spec: RunSpec) => AgentRunTerminal;

export class AgentTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly terminal: TerminalFactory,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideTasks(): vscode.Task[] {
    return agentsOnPath().map((agent) =>
      this.task(
        {
          type: TASK_TYPE,
          agent: agent.id,
          command: agent.command,
          args: [...agent.runArgs],
          workflow: DEFAULT_RUN_WORKFLOW,
        },
        `${agent.command} ${agent.runArgs.join(' ')} (with pre-flight)`,
        vscode.TaskScope.Workspace,
      ),
    );
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (task.definition.type !== TASK_TYPE) return undefined;
    return this.task(
      task.definition as SpendBandTaskDefinition,
      task.name,
      task.scope ?? vscode.TaskScope.Workspace,
      task.definition,
    );
  }

  /** A task whose execution is the guarded run; `definition` must stay the very object tasks.json gave. */
  task(
    definition: SpendBandTaskDefinition,
    name: string,
    scope: vscode.WorkspaceFolder | vscode.TaskScope.Global | vscode.TaskScope.Workspace,
    original: vscode.TaskDefinition = definition,
    terminal?: AgentRunTerminal,
  ): vscode.Task {
    const execution = new vscode.CustomExecution(async (resolved) => {
      if (terminal) return terminal;
      const parsed = SpendBandTaskSchema.safeParse(resolved);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the definition';
        this.log.warn(`spendBand task "${name}": ${where}: ${issue?.message ?? 'invalid'}`);
        return this.terminal({ problem: `${where}: ${issue?.message ?? 'invalid'}` });
      }
      return this.terminal(specOf(parsed.data));
    });
    const task = new vscode.Task(original, scope, name, TASK_TYPE, execution, []);
    task.presentationOptions = {
      reveal: vscode.TaskRevealKind.Always,
      panel: vscode.TaskPanelKind.Dedicated,
      clear: true,
      echo: false,
    };
    task.detail = 'Spend Band checks the run against your band before it starts';
    return task;
  }
}

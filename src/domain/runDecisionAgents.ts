// Which coding agents a run or a terminal command line is about: the agents whose logs are metered (so
// their history can estimate a run), how to start them non-interactively, and the configurable
// patterns that recognise an agent started by hand in a terminal.
import { z } from 'zod';

export interface KnownAgent {
  /** the agent id used by local metering (src/usage) */
  id: string;
  label: string;
  /** the program on the PATH */
  command: string;
  /** arguments that start a non-interactive run; the prompt follows them */
  runArgs: readonly string[];
}

export const KNOWN_AGENTS: readonly KnownAgent[] = [
  { id: 'claude_code', label: 'Claude Code', command: 'claude', runArgs: ['-p'] },
  { id: 'codex', label: 'Codex', command: 'codex', runArgs: ['exec'] },
];

/** The program name of a command ("/usr/local/bin/claude", "claude.cmd" → "claude"). */
export function programName(command: string): string {
  const base = command.trim().split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(cmd|exe|bat|ps1|js|mjs)$/i, '').toLowerCase();
}

/** The metered agent a command starts, when it is one of the known ones. */
export function agentOfCommand(command: string): KnownAgent | undefined {
  const name = programName(command);
  return KNOWN_AGENTS.find((a) => a.command === name || a.id === name);
}

export function agentById(id: string): KnownAgent | undefined {
  return KNOWN_AGENTS.find((a) => a.id === id || a.command === id);
}

/**
 * True when the arguments end where the prompt should follow (`claude -p`, `codex exec`): the run would
 * start without a task, so a front end asks for one first.
 */
export function needsPrompt(agent: KnownAgent, args: readonly string[]): boolean {
  if (args.length < agent.runArgs.length) return false;
  const tail = args.slice(args.length - agent.runArgs.length);
  return tail.every((a, i) => a === agent.runArgs[i]);
}

export const AgentPatternSchema = z.object({
  /** a regular expression tested against the whole command line */
  pattern: z.string().min(1).max(500),
  /** the class whose band is checked; omitted = the current class */
  workflow: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .optional(),
  agent: z.string().max(64).optional(),
});
export type AgentPattern = z.infer<typeof AgentPatternSchema>;

/** The defaults of `spendBand.preflight.agentPatterns`: non-interactive runs are background automation. */
export const DEFAULT_AGENT_PATTERNS: AgentPattern[] = [
  {
    pattern: '^(?:npx\\s+(?:-y\\s+)?@anthropic-ai/claude-code|claude)\\s(?:.*\\s)?(?:-p|--print)(?:\\s|$)',
    agent: 'claude_code',
    workflow: 'background_automation',
  },
  {
    pattern: '^(?:npx\\s+(?:-y\\s+)?@openai/codex|codex)\\s+exec(?:\\s|$)',
    agent: 'codex',
    workflow: 'background_automation',
  },
  { pattern: '^(?:claude|codex|aider|gemini|cursor-agent)(?:\\s|$)' },
];

export interface PatternMatch {
  pattern: AgentPattern;
  /** index in the list, for messages */
  index: number;
}

export interface CompiledPatterns {
  match(commandLine: string): PatternMatch | undefined;
  /** patterns that are not valid regular expressions, with why (they are skipped) */
  problems: string[];
}

/**
 * Compile the patterns once. A pattern that is not a valid regular expression is reported and skipped,
 * never allowed to throw for every command line. Leading environment assignments (`FOO=1 claude -p`)
 * and a leading `env`/`time`/`nohup` are ignored, so the pattern sees the command itself.
 */
export function compileAgentPatterns(patterns: readonly AgentPattern[]): CompiledPatterns {
  const compiled: { regex: RegExp; pattern: AgentPattern; index: number }[] = [];
  const problems: string[] = [];
  patterns.forEach((pattern, index) => {
    try {
      compiled.push({ regex: new RegExp(pattern.pattern), pattern, index });
    } catch (error) {
      problems.push(
        `pattern ${index + 1} (${pattern.pattern}) is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  });
  return {
    problems,
    match(commandLine) {
      const line = stripCommandPrefixes(commandLine);
      const hit = compiled.find((c) => c.regex.test(line));
      return hit ? { pattern: hit.pattern, index: hit.index } : undefined;
    },
  };
}

export function stripCommandPrefixes(commandLine: string): string {
  let line = commandLine.trim();
  for (;;) {
    const next = line.replace(
      /^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+|(?:env|time|nohup|command|exec)\s+)/,
      '',
    );
    if (next === line) return line;
    line = next.trimStart();
  }
}

/** Words of a command line with '…' and "…" quoting (no expansion: the program is started without a shell). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:\\.|[^"\\])*)"|'([^']*)'|([^\s'"]+)/g;
  let current = '';
  let last = -1;
  for (const match of line.matchAll(pattern)) {
    const piece = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3] ?? '');
    if (last !== -1 && match.index === last) current += piece;
    else {
      if (last !== -1) words.push(current);
      current = piece;
    }
    last = match.index + match[0].length;
  }
  if (last !== -1) words.push(current);
  return words;
}

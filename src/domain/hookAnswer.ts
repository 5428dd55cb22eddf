// What `spend-band hook claude` prints for Claude Code, from a pre-flight decision. Pure.
// Shapes follow the hooks reference (https://code.claude.com/docs/en/hooks):
// - PreToolUse: `hookSpecificOutput.permissionDecision` allow | deny | ask | defer, with
//   `permissionDecisionReason` (shown to the user for ask, to Claude for deny). `defer` is honoured
//   only in non-interactive runs (`claude -p`): the tool call is held and the run can be resumed.
// - UserPromptSubmit: top-level `decision: "block"` with `reason` stops the prompt; otherwise
//   `hookSpecificOutput.additionalContext` adds text for Claude.
// - `systemMessage` is a line shown to the user in either case.

export type HookEvent = 'PreToolUse' | 'UserPromptSubmit';

export interface HookDecisionInput {
  event: HookEvent;
  decision: 'allow' | 'warn' | 'needs_approval' | 'deny';
  reason: string;
  /** "$1.20 estimated (history: median of 12 sessions)" */
  estimateText: string;
  /** "$4.00 left of $40.00 after this run (90% used)", when known */
  headroomText?: string | undefined;
  /** the run_approval request id the endpoint filed, for needs_approval */
  requestId?: string | undefined;
  /** true under `claude -p`, where `defer` holds the call for a later resume */
  nonInteractive: boolean;
  /** a cheaper way to do the same, when there is one */
  cheaper?: string | undefined;
  /** who decided: "the endpoint" or "local bands" */
  decidedBy: string;
}

export type HookOutput = Record<string, unknown>;

const PREFIX = 'Spend Band';

export function hookAnswer(input: HookDecisionInput): HookOutput {
  const numbers = [input.estimateText, input.headroomText].filter(Boolean).join('; ');
  const because = `${input.reason}${numbers ? ` (${numbers})` : ''}`;
  if (input.event === 'UserPromptSubmit') return promptAnswer(input, because);
  switch (input.decision) {
    case 'allow':
      return preTool('allow', `${PREFIX}: within the band, decided by ${input.decidedBy}. ${numbers}`.trim());
    case 'warn':
      return preTool('ask', `${PREFIX} warns: ${because}. Allow to run it anyway.`);
    case 'needs_approval': {
      const request = input.requestId ? ` Approval request ${input.requestId} is filed.` : ' Ask your approver.';
      if (input.nonInteractive) {
        return {
          ...preTool('defer', `${PREFIX}: needs approval: ${because}.${request} Resume this run once it is approved.`),
          systemMessage: `${PREFIX}: this run waits for approval${input.requestId ? ` (request ${input.requestId})` : ''}; resume it once approved.`,
        };
      }
      return preTool('deny', `${PREFIX}: needs approval: ${because}.${request} Do not retry until it is approved.`);
    }
    case 'deny':
      return preTool('deny', `${PREFIX} denied this: ${because}.${input.cheaper ? ` Cheaper: ${input.cheaper}.` : ''}`);
  }
}

function preTool(permissionDecision: 'allow' | 'deny' | 'ask' | 'defer', permissionDecisionReason: string): HookOutput {
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason } };
}

function promptAnswer(input: HookDecisionInput, because: string): HookOutput {
  switch (input.decision) {
    case 'allow':
      return {};
    case 'warn':
      return {
        systemMessage: `${PREFIX} warns: ${because}.`,
        hookSpecificOutput: {
          hookEventName: 'UserPromptSubmit',
          additionalContext: `${PREFIX}: the budget band is nearly used (${because}). Prefer the cheaper approach.`,
        },
      };
    case 'needs_approval':
      return {
        decision: 'block',
        reason: `${PREFIX}: needs approval: ${because}.${input.requestId ? ` Approval request ${input.requestId} is filed; run again once approved.` : ' Ask your approver.'}`,
      };
    case 'deny':
      return {
        decision: 'block',
        reason: `${PREFIX} denied this: ${because}.${input.cheaper ? ` Cheaper: ${input.cheaper}.` : ''}`,
      };
  }
}

/**
 * The endpoint could not answer in time: do not stand in the way (the agent's own permission rules
 * still apply), but say so where the user sees it.
 */
export function failOpenAnswer(event: HookEvent, why: string): HookOutput {
  void event; // the same answer for both events: no decision, a message for the user
  return { systemMessage: `${PREFIX}: not checked (${why}); the run goes ahead without a budget check.` };
}

/**
 * The endpoint answered but refused the question (a 4xx: a bad token, a request it rejects): the run is
 * not let through unchecked. A tool call asks the user; a `claude -p` prompt (no one to ask) is blocked.
 */
export function notCheckedAnswer(event: HookEvent, why: string): HookOutput {
  const text = `${PREFIX} could not check this run (${why}).`;
  if (event === 'UserPromptSubmit')
    return { decision: 'block', reason: `${text} Fix that, or run without the Spend Band hook.` };
  return { ...preTool('ask', `${text} Allow to run it anyway without a budget check.`), systemMessage: `${text}` };
}

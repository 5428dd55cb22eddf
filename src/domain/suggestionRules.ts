// Rules that suggest a workflow class from what the developer is doing. A suggestion is offered, never
// forced, unless the person marked the rule `autoApply`.
import { z } from 'zod';

export const SuggestionRuleSchema = z.object({
  workflow: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  /** a glob on the current branch name: `*` matches anything but `/`, `**` anything */
  branch: z.string().min(1).max(200).optional(),
  /** a diff or review editor is in front */
  reviewEditor: z.boolean().optional(),
  /** a guarded agent task (`spendBand` task type) is running */
  guardedTask: z.boolean().optional(),
  autoApply: z.boolean().optional(),
});
export type SuggestionRule = z.infer<typeof SuggestionRuleSchema>;

export interface ActivityContext {
  branch?: string | undefined;
  reviewEditor: boolean;
  guardedTask: boolean;
}

export interface Suggestion {
  workflow: string;
  autoApply: boolean;
  /** why, for the person: "branch review/* matches review/login" */
  reason: string;
  ruleIndex: number;
}

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The first rule whose every condition holds; a rule with no condition never matches. */
export function suggestWorkflow(rules: readonly SuggestionRule[], context: ActivityContext): Suggestion | undefined {
  for (const [index, rule] of rules.entries()) {
    const reasons: string[] = [];
    let conditions = 0;
    if (rule.branch !== undefined) {
      conditions++;
      if (context.branch === undefined || !globToRegExp(rule.branch).test(context.branch)) continue;
      reasons.push(`branch ${context.branch} matches ${rule.branch}`);
    }
    if (rule.reviewEditor !== undefined) {
      conditions++;
      if (context.reviewEditor !== rule.reviewEditor) continue;
      reasons.push(rule.reviewEditor ? 'a diff editor is open' : 'no diff editor is open');
    }
    if (rule.guardedTask !== undefined) {
      conditions++;
      if (context.guardedTask !== rule.guardedTask) continue;
      reasons.push(rule.guardedTask ? 'a guarded agent task is running' : 'no guarded agent task is running');
    }
    if (conditions === 0) continue;
    return {
      workflow: rule.workflow,
      autoApply: rule.autoApply === true,
      reason: reasons.join(' and '),
      ruleIndex: index,
    };
  }
  return undefined;
}

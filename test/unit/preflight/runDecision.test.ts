// Rule matching as a run sees it: the local decision over a BandsDocument (the class band or the `all`
// band, rules in order, first match wins, caps never weakened), what the front ends print, what a
// polled approval means, and which command lines are agents.
import assert from 'node:assert/strict';
import { DECISION_EXIT } from '../../../src/domain/exitCodes';
import { approvalState, decisionLines, headroomText, localDecision } from '../../../src/domain/runDecision';
import {
  DEFAULT_AGENT_PATTERNS,
  agentOfCommand,
  compileAgentPatterns,
  needsPrompt,
  programName,
  splitCommandLine,
  stripCommandPrefixes,
  KNOWN_AGENTS,
} from '../../../src/domain/runDecisionAgents';
import {
  PreflightDecisionSchema,
  type BandsDocument,
  type EscalationRule,
  type Request,
} from '../../../src/domain/schemas';
import { makeBand } from '../domain/makeBand';

const USD = 1_000_000;
const NOW = new Date('2026-11-10T12:00:00Z');
const usd = (n: number) => ({ currency: 'USD', amount_micros: Math.round(n * USD) });

function doc(rules: EscalationRule[], over: Partial<BandsDocument> = {}): BandsDocument {
  return {
    developer: { id: 'dev' },
    role: { id: 'backend' },
    seats: [],
    bands: [
      makeBand({
        id: 'b_bg',
        workflow: 'background_automation',
        label: 'Background',
        allocated: 40 * USD,
        used: 12 * USD,
        enforcement: 'hard',
      }),
      makeBand({ id: 'b_all', workflow: 'all', allocated: 300 * USD, used: 100 * USD }),
    ],
    escalation: { rules },
    capabilities: {},
    generated_at: NOW.toISOString(),
    ...over,
  };
}

const ladder: EscalationRule[] = [
  {
    id: 'deny20',
    applies_to: ['background_automation'],
    when: { estimate_at_least: usd(20) },
    action: 'deny',
    message: 'Too big; split the job.',
  },
  {
    id: 'approve5',
    applies_to: ['background_automation'],
    when: { estimate_at_least: usd(5) },
    action: 'needs_approval',
    approver_role: 'team_lead',
  },
  { id: 'warnLow', applies_to: ['background_automation'], when: { remaining_percent_after_below: 50 }, action: 'warn' },
];

function decide(d: BandsDocument, workflow: string, costUsd: number) {
  const decision = localDecision({ document: d, workflow, estimate: { cost: usd(costUsd) }, now: NOW });
  const parsed = PreflightDecisionSchema.safeParse(decision);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  return decision;
}

describe('runDecision: the local decision over the document', () => {
  it('walks the rule ladder: each of the four decisions, first match wins', () => {
    const d = doc(ladder);
    // 28 left of 40: $1 leaves 27 (67 %) → allow; $9 leaves 19 (47 %) but ≥ $5 matches approve5 first
    assert.equal(decide(d, 'background_automation', 1).decision, 'allow');
    assert.equal(decide(d, 'background_automation', 4).decision, 'allow');
    const warn = decide(doc([ladder[2]!]), 'background_automation', 9);
    assert.equal(warn.decision, 'warn');
    assert.equal(warn.rule_id, 'warnLow');
    const approval = decide(d, 'background_automation', 9);
    assert.equal(approval.decision, 'needs_approval');
    assert.equal(approval.rule_id, 'approve5');
    assert.match(approval.reason, /from team_lead/);
    const deny = decide(d, 'background_automation', 20);
    assert.equal(deny.decision, 'deny');
    assert.equal(deny.reason, 'Too big; split the job.');
  });

  it('a rule for other classes does not apply; that class falls back to the `all` band', () => {
    const d = doc(ladder);
    const v = decide(d, 'research', 50);
    assert.equal(v.decision, 'allow');
    assert.equal(v.band_id, 'b_all');
    assert.equal(v.projected?.remaining_after?.amount_micros, 150 * USD);
  });

  it('a rule with no applies_to covers every class; a rule with no conditions always matches', () => {
    const v = decide(doc([{ id: 'all', action: 'warn' }]), 'review', 0);
    assert.equal(v.decision, 'warn');
    assert.match(v.reason, /always needs it/);
  });

  it('a hard band the run would overdraw is denied even when a rule says warn', () => {
    const v = decide(doc([{ id: 'w', action: 'warn' }]), 'background_automation', 29);
    assert.equal(v.decision, 'deny');
    assert.equal(v.reason_code, 'band_exhausted');
  });

  it('the per-run cap is enforced without any rule', () => {
    const v = decide(doc([], { escalation: { per_run_cap: usd(10), rules: [] } }), 'background_automation', 10.5);
    assert.equal(v.decision, 'deny');
    assert.equal(v.reason_code, 'over_run_cap');
  });

  it('never reserves or files anything locally', () => {
    const v = decide(doc(ladder), 'background_automation', 9);
    assert.equal(v.reservation, null);
    assert.equal(v.approval, null);
  });
});

describe('runDecision: words and exit codes', () => {
  it('maps decisions to the CLI contract exit codes', () => {
    assert.deepEqual(DECISION_EXIT, { allow: 0, warn: 10, needs_approval: 11, deny: 12 });
  });

  it('says what is left now and what would be left, or by how much it goes over', () => {
    const d = doc([]);
    const band = d.bands[0];
    const ok = decide(d, 'background_automation', 3);
    assert.equal(
      headroomText(ok, band),
      '$28.00 left of $40.00 in Background now; $25.00 would be left after this run (37.5% used)',
    );
    const soft = doc([], {
      bands: [makeBand({ id: 's', workflow: 'background_automation', allocated: 10 * USD, used: 8 * USD })],
    });
    const over = decide(soft, 'background_automation', 5);
    assert.match(headroomText(over, soft.bands[0])!, /\$3\.00 over the band after this run \(130% used\)/);
  });

  it("prints the endpoint's band label as one plain line (#20)", () => {
    const d = doc([]);
    const band = { ...d.bands[0]!, label: 'Ops\nRun: harmless\u001b[2K\u001b]0;pwned\u0007\u202eok' };
    const text = headroomText(decide(d, 'background_automation', 3), band)!;
    assert.match(text, /in Ops Run: harmlessok now/);
    assert.doesNotMatch(text, /[\u0000-\u001f\u202e]/);
  });

  it('prints estimate, decision, band and approval lines', () => {
    const decision = {
      ...decide(doc(ladder), 'background_automation', 9),
      approval: { request_id: 'req_1', status: 'pending' as const },
    };
    const lines = decisionLines(decision, '$9.00, as given.', doc(ladder).bands[0]);
    assert.equal(lines[0], 'Estimate: $9.00, as given.');
    assert.match(lines[1]!, /^Needs approval: Rule approve5/);
    assert.match(lines.join('\n'), /Approval request req_1: pending\./);
  });
});

describe('runDecision: a polled approval request', () => {
  const base: Pick<Request, 'id' | 'status' | 'resolution'> = { id: 'req_7', status: 'pending', resolution: null };
  it('pending waits; approved names who approved and the note', () => {
    assert.deepEqual(approvalState(base), { state: 'waiting' });
    const approved = approvalState({
      ...base,
      status: 'approved',
      resolution: { decided_by: { id: 'lead', display_name: 'Lee' }, note: 'go ahead' },
    });
    assert.equal(approved.state, 'approved');
    assert.match(approved.state === 'approved' ? approved.message : '', /approved by Lee — "go ahead"/);
  });

  it('denied, cancelled and expired refuse, with the approver note and what to do', () => {
    const denied = approvalState({
      ...base,
      status: 'denied',
      resolution: { decided_by: { id: 'lead' }, note: 'too big this week' },
    });
    assert.equal(denied.state, 'refused');
    assert.match(
      denied.state === 'refused' ? denied.message : '',
      /denied by lead — "too big this week".*not started.*band increase/,
    );
    for (const status of ['cancelled', 'expired'] as const) {
      const s = approvalState({ ...base, status });
      assert.equal(s.state === 'refused' && s.status, status);
      assert.match(s.state === 'refused' ? s.message : '', /start it again/);
    }
  });
});

describe('runDecisionAgents: commands and command lines', () => {
  it('knows the metered agents by program name, path or Windows shim', () => {
    assert.equal(agentOfCommand('claude')?.id, 'claude_code');
    assert.equal(agentOfCommand('/usr/local/bin/claude')?.id, 'claude_code');
    assert.equal(agentOfCommand('C:\\tools\\codex.cmd')?.id, 'codex');
    assert.equal(agentOfCommand('claude-monitor'), undefined);
    assert.equal(programName('./x/Node.EXE'), 'node');
  });

  it('sees when the prompt is missing after the run arguments', () => {
    const claude = KNOWN_AGENTS[0]!;
    assert.equal(needsPrompt(claude, ['-p']), true);
    assert.equal(needsPrompt(claude, ['--model', 'opus', '-p']), true);
    assert.equal(needsPrompt(claude, ['-p', 'fix the tests']), false);
    assert.equal(needsPrompt(claude, []), false);
  });

  it('default patterns: non-interactive runs are background automation, other agent starts use the current class', () => {
    const patterns = compileAgentPatterns(DEFAULT_AGENT_PATTERNS);
    assert.deepEqual(patterns.problems, []);
    const cases: [string, string | undefined | null][] = [
      ['claude -p "fix the flaky test"', 'background_automation'],
      ['claude --model opus --print hello', 'background_automation'],
      ['ANTHROPIC_LOG=debug claude -p x', 'background_automation'],
      ['npx -y @anthropic-ai/claude-code -p x', 'background_automation'],
      ['nohup codex exec "migrate"', 'background_automation'],
      ['codex', undefined],
      ['claude', undefined],
      ['aider --message hi', undefined],
      ['claude-monitor', null],
      ['echo claude -p', null],
      ['git commit -m "claude -p"', null],
    ];
    for (const [line, workflow] of cases) {
      const match = patterns.match(line);
      if (workflow === null) assert.equal(match, undefined, line);
      else assert.equal(match?.pattern.workflow, workflow, line);
    }
  });

  it('a pattern that is not a regular expression is reported and skipped, the rest still match', () => {
    const patterns = compileAgentPatterns([{ pattern: '(' }, { pattern: '^myagent\\b', workflow: 'research' }]);
    assert.equal(patterns.problems.length, 1);
    assert.match(patterns.problems[0]!, /pattern 1 \(\(\) is not a valid regular expression/);
    assert.equal(patterns.match('myagent go')?.index, 1);
  });

  it('strips leading assignments and wrappers, not the command', () => {
    assert.equal(stripCommandPrefixes(`A=1 B='x y' env time claude -p x`), 'claude -p x');
    assert.equal(stripCommandPrefixes('codex exec run'), 'codex exec run');
  });

  it('splits a command line with quotes, without a shell', () => {
    assert.deepEqual(splitCommandLine(`claude -p "fix the \\"flaky\\" test" --x='a b'`), [
      'claude',
      '-p',
      'fix the "flaky" test',
      '--x=a b',
    ]);
    assert.deepEqual(splitCommandLine('  ./run.sh   --repo api '), ['./run.sh', '--repo', 'api']);
    assert.deepEqual(splitCommandLine(''), []);
  });
});

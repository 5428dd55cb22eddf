import assert from 'node:assert/strict';
import { describeRule, preflightVerdict, ruleMatches, type VerdictInput } from '../../../src/domain/preflightVerdict';
import { PreflightDecisionSchema, type EscalationPolicy, type EscalationRule } from '../../../src/domain/schemas';
import { makeBand } from './makeBand';

const USD = 1_000_000;
const NOW = new Date('2026-11-10T12:00:00Z');
const cost = (micros: number) => ({ cost: { currency: 'USD', amount_micros: micros } });
const bg = makeBand({
  id: 'b_bg',
  workflow: 'background_automation',
  label: 'Background agents',
  allocated: 40 * USD,
  used: 12 * USD,
});

function verdict(over: Partial<VerdictInput> & { rules?: EscalationRule[] }) {
  const { rules, ...rest } = over;
  const input: VerdictInput = {
    workflow: 'background_automation',
    estimate: cost(1 * USD),
    band: bg,
    policy: { rules: rules ?? [] },
    now: NOW,
    ...rest,
  };
  const v = preflightVerdict(input);
  // every verdict is a valid PreflightDecision of Bands API v1
  const parsed = PreflightDecisionSchema.safeParse(v);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  return v;
}

/** A reason is a sentence: a capital letter first, a full stop last, no raw ids of JSON. */
function assertSentence(reason: string) {
  assert.match(reason, /^[A-Z]/, reason);
  assert.match(reason, /\.$/, reason);
  assert.doesNotMatch(reason, /undefined|NaN|\[object|amount_micros|Infinity/, reason);
}

describe('preflightVerdict', () => {
  it('no rules and room in the band: allow within_band, with the projection', () => {
    const v = verdict({ estimate: cost(3 * USD) });
    assert.equal(v.decision, 'allow');
    assert.equal(v.reason_code, 'within_band');
    assert.equal(v.rule_id, null);
    assert.equal(v.band_id, 'b_bg');
    assert.deepEqual(v.projected, {
      used_after: { currency: 'USD', amount_micros: 15 * USD },
      remaining_after: { currency: 'USD', amount_micros: 25 * USD },
      percent_after: 37.5,
    });
    assert.equal(v.valid_until, '2026-11-10T12:10:00.000Z');
    assert.equal(v.reason, 'Within band: $25.00 would be left of $40.00.');
    assertSentence(v.reason);
  });

  it('no band: allow with reason no_band', () => {
    const v = verdict({ band: undefined, workflow: 'research' });
    assert.equal(v.decision, 'allow');
    assert.equal(v.reason_code, 'no_band');
    assert.equal(v.band_id, undefined);
    assert.equal(v.projected, undefined);
    assert.match(v.reason, /No band covers research/);
    assertSentence(v.reason);
  });

  it('the first matching rule wins: order matters', () => {
    const deny: EscalationRule = {
      id: 'big',
      when: { estimate_at_least: { currency: 'USD', amount_micros: 20 * USD } },
      action: 'deny',
    };
    const approve: EscalationRule = {
      id: 'mid',
      when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD } },
      action: 'needs_approval',
      approver_role: 'team_lead',
    };
    const warn: EscalationRule = { id: 'any', action: 'warn' };
    const big = cost(25 * USD);
    assert.equal(verdict({ estimate: big, rules: [deny, approve, warn] }).rule_id, 'big');
    assert.equal(verdict({ estimate: big, rules: [approve, deny, warn] }).rule_id, 'mid');
    assert.equal(verdict({ estimate: big, rules: [warn, deny, approve] }).rule_id, 'any');
    const mid = verdict({ estimate: cost(6 * USD), rules: [deny, approve, warn] });
    assert.equal(mid.decision, 'needs_approval');
    assert.equal(mid.reason_code, 'policy_rule');
    assert.equal(mid.rule_id, 'mid');
    assert.equal(mid.reason, 'Rule mid asks for approval from team_lead: the estimate $6.00 is at least $5.00.');
    assert.equal(verdict({ estimate: cost(1 * USD), rules: [deny, approve, warn] }).decision, 'warn');
  });

  it('no matching rule allows', () => {
    const v = verdict({
      rules: [{ id: 'r', when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD } }, action: 'deny' }],
    });
    assert.equal(v.decision, 'allow');
    assert.equal(v.rule_id, null);
  });

  it('applies_to filters by workflow class; an empty or absent list applies to every class', () => {
    const onlyBg: EscalationRule = { id: 'bg', applies_to: ['background_automation'], action: 'warn' };
    assert.equal(verdict({ rules: [onlyBg] }).decision, 'warn');
    assert.equal(verdict({ workflow: 'deep_coding', rules: [onlyBg] }).decision, 'allow');
    assert.equal(
      verdict({ workflow: 'deep_coding', rules: [{ id: 'e', applies_to: [], action: 'warn' }] }).decision,
      'warn',
    );
    assert.equal(verdict({ workflow: 'a_new_class', rules: [{ id: 'n', action: 'deny' }] }).decision, 'deny');
    assert.equal(
      verdict({ workflow: 'review', rules: [{ id: 'two', applies_to: ['deep_coding', 'review'], action: 'warn' }] })
        .decision,
      'warn',
    );
  });

  it('estimate_at_least: equal matches, one micro less does not', () => {
    const rule: EscalationRule = {
      id: 'r',
      when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD } },
      action: 'warn',
    };
    assert.equal(verdict({ estimate: cost(5 * USD), rules: [rule] }).decision, 'warn');
    assert.equal(verdict({ estimate: cost(5 * USD - 1), rules: [rule] }).decision, 'allow');
  });

  it('remaining_percent_after_below compares in integers, strictly below', () => {
    // 40 USD band, 12 used: after a run of c, remaining is 28 − c; 20 % of 40 is 8
    const rule: EscalationRule = { id: 'low', when: { remaining_percent_after_below: 20 }, action: 'warn' };
    assert.equal(
      verdict({ estimate: cost(20 * USD), rules: [rule] }).decision,
      'allow',
      'exactly 20 % left is not below 20 %',
    );
    assert.equal(verdict({ estimate: cost(20 * USD + 1), rules: [rule] }).decision, 'warn');
    // 30 % of 3 USD = 0.9 USD; 0.3 × 3 is 0.8999999999999999 as a float
    const small = makeBand({ allocated: 3 * USD, used: 0 });
    const r30: EscalationRule = { id: 'r30', when: { remaining_percent_after_below: 30 }, action: 'warn' };
    assert.equal(verdict({ band: small, estimate: cost(2_100_000), rules: [r30] }).decision, 'allow');
    assert.equal(verdict({ band: small, estimate: cost(2_100_001), rules: [r30] }).decision, 'warn');
    // reserved money is already out of `remaining`
    const reserved = makeBand({ allocated: 40 * USD, used: 12 * USD, reserved: 10 * USD });
    assert.equal(verdict({ band: reserved, estimate: cost(10 * USD), rules: [rule] }).decision, 'allow');
    assert.equal(verdict({ band: reserved, estimate: cost(10 * USD + 1), rules: [rule] }).decision, 'warn');
    // a zero band has nothing left after any run
    const zero = makeBand({ allocated: 0, used: 0 });
    assert.equal(verdict({ band: zero, estimate: cost(1), rules: [rule] }).decision, 'warn');
    assert.equal(
      verdict({
        band: zero,
        estimate: cost(1),
        rules: [{ id: 'z', when: { remaining_percent_after_below: 0 }, action: 'warn' }],
      }).decision,
      'allow',
    );
    // without a band there is nothing to compute the percent of
    assert.equal(verdict({ band: undefined, rules: [rule] }).decision, 'allow');
  });

  it('the warn reason for a low remainder names the band', () => {
    const v = verdict({
      estimate: cost(30 * USD),
      rules: [{ id: 'r3', when: { remaining_percent_after_below: 20 }, action: 'warn' }],
    });
    assert.equal(v.reason, 'Rule r3 asks for a warning: less than 20% of Background agents would be left.');
  });

  it('max_duration_above and max_iterations_above need the run to ask for more', () => {
    const dur: EscalationRule = { id: 'long', when: { max_duration_above: 'PT1H' }, action: 'needs_approval' };
    assert.equal(verdict({ limits: { max_duration: 'PT2H' }, rules: [dur] }).decision, 'needs_approval');
    assert.equal(verdict({ limits: { max_duration: 'PT1H' }, rules: [dur] }).decision, 'allow', 'equal is not above');
    assert.equal(verdict({ limits: { max_duration: 'PT60M1S' }, rules: [dur] }).decision, 'needs_approval');
    assert.equal(verdict({ rules: [dur] }).decision, 'allow', 'no limit given: the rule cannot match');
    assert.equal(verdict({ limits: { max_duration: 'soon' }, rules: [dur] }).decision, 'allow');
    const it_: EscalationRule = { id: 'loops', when: { max_iterations_above: 50 }, action: 'warn' };
    assert.equal(verdict({ limits: { max_iterations: 51 }, rules: [it_] }).decision, 'warn');
    assert.equal(verdict({ limits: { max_iterations: 50 }, rules: [it_] }).decision, 'allow');
    assert.equal(verdict({ rules: [it_] }).decision, 'allow');
    const v = verdict({
      limits: { max_duration: 'PT3H', max_iterations: 100 },
      rules: [{ id: 'both', when: { max_duration_above: 'PT2H', max_iterations_above: 10 }, action: 'warn' }],
    });
    assert.equal(
      v.reason,
      'Rule both asks for a warning: the run may last longer than PT2H and the run may take more than 10 iterations.',
    );
  });

  it('every condition in `when` must hold', () => {
    const rule: EscalationRule = {
      id: 'both',
      when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD }, remaining_percent_after_below: 50 },
      action: 'deny',
    };
    assert.equal(
      verdict({ estimate: cost(6 * USD), rules: [rule] }).decision,
      'allow',
      '28 − 6 = 22 of 40 is 55 % left',
    );
    assert.equal(verdict({ estimate: cost(9 * USD), rules: [rule] }).decision, 'deny');
    assert.equal(
      verdict({ estimate: cost(4 * USD), band: makeBand({ allocated: 40 * USD, used: 39 * USD }), rules: [rule] })
        .decision,
      'allow',
    );
  });

  it('a message on the rule is the reason; without one the reason explains the rule', () => {
    const withMessage = verdict({ rules: [{ id: 'r1', action: 'deny', message: 'Above per-run cap' }] });
    assert.equal(withMessage.reason, 'Above per-run cap');
    const plain = verdict({ rules: [{ id: 'always', action: 'needs_approval' }] });
    assert.equal(plain.reason, 'Rule always asks for approval: this workflow class always needs it.');
    assertSentence(plain.reason);
  });

  it('per_run_cap: above the cap is denied, at the cap is not', () => {
    const policy: EscalationPolicy = { per_run_cap: { currency: 'USD', amount_micros: 20 * USD }, rules: [] };
    const over = verdict({ estimate: cost(20 * USD + 1), policy, band: makeBand({ allocated: 1000 * USD }) });
    assert.equal(over.decision, 'deny');
    assert.equal(over.reason_code, 'over_run_cap');
    // one micro over the cap: the reason shows the digits that differ, not "$20.00 is above $20.00"
    assert.equal(
      over.reason,
      'The estimate $20.000001 is above the per-run cap of $20.00. Split the work into smaller runs.',
    );
    assertSentence(over.reason);
    assert.equal(
      verdict({ estimate: cost(20 * USD), policy, band: makeBand({ allocated: 1000 * USD }) }).decision,
      'allow',
    );
    // also without a band
    assert.equal(verdict({ estimate: cost(21 * USD), policy, band: undefined }).decision, 'deny');
  });

  it('hard enforcement: a run that would overdraw the band is denied; soft only allows', () => {
    const hard = makeBand({
      id: 'b_hard',
      label: 'Background agents',
      allocated: 40 * USD,
      used: 35 * USD,
      enforcement: 'hard',
    });
    const v = verdict({ band: hard, estimate: cost(5 * USD + 1) });
    assert.equal(v.decision, 'deny');
    assert.equal(v.reason_code, 'band_exhausted');
    assert.equal(v.band_id, 'b_hard');
    assert.equal(
      v.reason,
      'The run would overdraw the hard-enforced band Background agents ($5.00 left), and the gateway would stop it. Request a band increase first.',
    );
    assert.equal(
      verdict({ band: hard, estimate: cost(5 * USD) }).decision,
      'allow',
      'using the band up exactly is allowed',
    );
  });

  it('soft or no enforcement: an overdraw is allowed, and the reason says by how much it goes over', () => {
    const soft = makeBand({ label: 'Deep coding', allocated: 40 * USD, used: 35 * USD, enforcement: 'soft' });
    const s = verdict({ band: soft, estimate: cost(10 * USD) });
    assert.equal(s.decision, 'allow');
    assert.equal(s.reason_code, 'over_soft_band');
    assert.equal(s.projected?.remaining_after?.amount_micros, -5 * USD);
    assert.equal(
      s.reason,
      'Allowed, but the run would take Deep coding $5.00 over its $40.00 (soft limit, alert only).',
    );
    assertSentence(s.reason);
    const none = verdict({ band: { ...soft, enforcement: 'none' }, estimate: cost(10 * USD) });
    assert.equal(none.reason, 'Allowed, but the run would take Deep coding $5.00 over its $40.00 (not enforced).');
  });

  it('a cap the organization enforces is not weakened by a milder rule that matches first', () => {
    // the contract's example: r2 asks for approval above 5 USD, the per-run cap is 20 USD
    const policy: EscalationPolicy = {
      per_run_cap: { currency: 'USD', amount_micros: 20 * USD },
      rules: [
        {
          id: 'r2',
          when: { estimate_at_least: { currency: 'USD', amount_micros: 5 * USD } },
          action: 'needs_approval',
        },
      ],
    };
    const v = verdict({ estimate: cost(25 * USD), policy, band: makeBand({ allocated: 1000 * USD }) });
    assert.equal(v.decision, 'deny');
    assert.equal(v.reason_code, 'over_run_cap');
    // a hard band would block the run at 100 %: a warn rule must not say "go ahead"
    const hard = makeBand({ allocated: 40 * USD, used: 35 * USD, enforcement: 'hard' });
    const w = verdict({
      band: hard,
      estimate: cost(10 * USD),
      rules: [{ id: 'r3', when: { remaining_percent_after_below: 20 }, action: 'warn' }],
    });
    assert.equal(w.decision, 'deny');
    assert.equal(w.reason_code, 'band_exhausted');
    // a deny rule that matches keeps its own id and message
    const d = verdict({
      band: hard,
      estimate: cost(10 * USD),
      rules: [{ id: 'no', action: 'deny', message: 'Not today.' }],
    });
    assert.equal(d.rule_id, 'no');
    assert.equal(d.reason, 'Not today.');
  });

  it('a zero band still yields a valid decision', () => {
    const zero = makeBand({ allocated: 0, used: 0 });
    const v = verdict({ band: zero, estimate: cost(1 * USD) });
    assert.equal(v.decision, 'allow');
    assert.equal(v.projected?.remaining_after?.amount_micros, -1 * USD);
    assert.equal(v.projected?.percent_after, undefined, 'no percent of nothing (Infinity is not JSON)');
    assert.equal(verdict({ band: { ...zero, enforcement: 'hard' }, estimate: cost(1) }).decision, 'deny');
  });

  it('the validity window is configurable', () => {
    assert.equal(verdict({ validForMs: 60_000 }).valid_until, '2026-11-10T12:01:00.000Z');
  });

  it('ruleMatches and describeRule work on their own', () => {
    const rule: EscalationRule = { id: 'x', applies_to: ['review'], action: 'deny' };
    assert.equal(ruleMatches(rule, { workflow: 'review', estimate: cost(1), band: undefined }), true);
    assert.equal(ruleMatches(rule, { workflow: 'research', estimate: cost(1), band: undefined }), false);
    assert.equal(
      describeRule(rule, { currency: 'USD', amount_micros: 1 }, undefined),
      'Rule x asks for a refusal: this workflow class always needs it.',
    );
  });
});

import assert from 'node:assert/strict';
import { globToRegExp, suggestWorkflow } from '../../../src/domain/suggestionRules';

describe('suggestion rules', () => {
  it('matches branch globs: * within a segment, ** across', () => {
    assert.ok(globToRegExp('review/*').test('review/login'));
    assert.ok(!globToRegExp('review/*').test('review/a/b'));
    assert.ok(globToRegExp('review/**').test('review/a/b'));
    assert.ok(!globToRegExp('review/*').test('xreview/a'));
    assert.ok(globToRegExp('fix-?.x').test('fix-1.x') && !globToRegExp('fix-?.x').test('fix-1yx'));
  });

  it('suggests the first rule whose every condition holds, with the reason', () => {
    const rules = [
      { workflow: 'background_automation', guardedTask: true, autoApply: true },
      { workflow: 'review', branch: 'review/*' },
      { workflow: 'review', reviewEditor: true },
    ];
    assert.deepEqual(suggestWorkflow(rules, { branch: 'review/login', reviewEditor: false, guardedTask: false }), {
      workflow: 'review',
      autoApply: false,
      reason: 'branch review/login matches review/*',
      ruleIndex: 1,
    });
    assert.equal(
      suggestWorkflow(rules, { branch: 'review/login', reviewEditor: false, guardedTask: true })?.workflow,
      'background_automation',
    );
    assert.equal(suggestWorkflow(rules, { branch: 'main', reviewEditor: true, guardedTask: false })?.ruleIndex, 2);
    assert.equal(suggestWorkflow(rules, { branch: 'main', reviewEditor: false, guardedTask: false }), undefined);
  });

  it('never matches a rule without conditions, and never auto-applies unless asked', () => {
    assert.equal(suggestWorkflow([{ workflow: 'review' }], { reviewEditor: true, guardedTask: true }), undefined);
    assert.equal(
      suggestWorkflow([{ workflow: 'review', reviewEditor: true }], { reviewEditor: true, guardedTask: false })
        ?.autoApply,
      false,
    );
  });
});

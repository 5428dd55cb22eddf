import assert from 'node:assert/strict';
import {
  DEFAULT_WORKFLOW_CLASSES,
  humanize,
  resolveWorkflowClasses,
  workflowClassFor,
} from '../../../src/domain/workflowClasses';
import { KNOWN_WORKFLOWS } from '../../../src/domain/schemas';

describe('workflowClasses', () => {
  it('the five defaults, in the order of the contract, with labels and icons', () => {
    assert.deepEqual(
      DEFAULT_WORKFLOW_CLASSES.map((c) => c.id),
      [...KNOWN_WORKFLOWS],
    );
    for (const c of DEFAULT_WORKFLOW_CLASSES) {
      assert.ok(c.label.length > 0 && c.icon.length > 0 && c.description.length > 0, c.id);
    }
    assert.equal(workflowClassFor('deep_coding').label, 'Deep coding');
  });

  it('configuration adds classes and overrides labels and icons of defaults', () => {
    const classes = resolveWorkflowClasses([
      { id: 'triage', label: 'Bug triage', icon: 'bug' },
      { id: 'review', label: 'Code review' },
      { id: 'migration' },
    ]);
    assert.equal(classes.length, 7);
    assert.deepEqual(
      classes.find((c) => c.id === 'triage'),
      { id: 'triage', label: 'Bug triage', icon: 'bug', description: '' },
    );
    assert.deepEqual(
      classes.find((c) => c.id === 'review'),
      { ...DEFAULT_WORKFLOW_CLASSES[2], label: 'Code review' },
    );
    assert.equal(classes.find((c) => c.id === 'migration')?.label, 'Migration');
    assert.equal(DEFAULT_WORKFLOW_CLASSES[2]!.label, 'Review', 'the defaults are not changed');
  });

  it('ignores extras with a missing or malformed id; blank labels keep the default', () => {
    const classes = resolveWorkflowClasses([
      { label: 'no id' },
      { id: 'Bad Id' },
      { id: '1st' },
      { id: 'review', label: '  ' },
    ]);
    assert.equal(classes.length, 5);
    assert.equal(classes.find((c) => c.id === 'review')?.label, 'Review');
  });

  it('unknown ids render with a derived label and a generic icon; `all` and `untagged` have their own', () => {
    assert.deepEqual(workflowClassFor('security_review'), {
      id: 'security_review',
      label: 'Security review',
      icon: 'symbol-misc',
      description: '',
    });
    assert.equal(workflowClassFor('all').label, 'All workflows');
    assert.equal(workflowClassFor('untagged').label, 'Untagged');
    assert.equal(humanize('background-automation_v2'), 'Background automation v2');
    assert.equal(humanize(''), '');
  });
});

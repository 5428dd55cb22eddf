// The five workflow classes of the budget model, extensible by configuration. Unknown ids (a newer
// server's classes) are rendered with a label derived from the id and a generic icon.
// No zod here (nor through an import): the usage scan and the CLI's `usage` attribute events with
// these ids, and loading the schemas costs them ~11 MiB of memory.

/** A band whose workflow is `all` covers every class (adapters for per-key budgets produce it). */
export const ALL_WORKFLOWS = 'all';

export interface WorkflowClass {
  id: string;
  label: string;
  /** a codicon name, rendered as $(icon) */
  icon: string;
  description: string;
}

export const DEFAULT_WORKFLOW_CLASSES: readonly WorkflowClass[] = [
  { id: 'light_assist', label: 'Light assist', icon: 'lightbulb', description: 'Completions and quick questions' },
  { id: 'deep_coding', label: 'Deep coding', icon: 'code', description: 'Agentic coding in the editor' },
  { id: 'review', label: 'Review', icon: 'git-pull-request', description: 'Reviewing changes with AI' },
  { id: 'research', label: 'Research', icon: 'search', description: 'Exploring, reading, planning' },
  { id: 'background_automation', label: 'Background automation', icon: 'robot', description: 'Unattended agent runs' },
];

export const UNTAGGED = 'untagged';

/** Defaults first, then configured extras; an extra with a default's id overrides its label/icon. */
export function resolveWorkflowClasses(extra: readonly Partial<WorkflowClass>[] = []): WorkflowClass[] {
  const byId = new Map<string, WorkflowClass>(DEFAULT_WORKFLOW_CLASSES.map((c) => [c.id, { ...c }]));
  for (const item of extra) {
    if (!item.id || !/^[a-z][a-z0-9_]{0,63}$/.test(item.id)) continue;
    const base = byId.get(item.id) ?? { id: item.id, label: humanize(item.id), icon: 'symbol-misc', description: '' };
    byId.set(item.id, {
      id: item.id,
      label: item.label?.trim() || base.label,
      icon: item.icon?.trim() || base.icon,
      description: item.description ?? base.description,
    });
  }
  return [...byId.values()];
}

export function workflowClassFor(
  id: string,
  classes: readonly WorkflowClass[] = DEFAULT_WORKFLOW_CLASSES,
): WorkflowClass {
  const known = classes.find((c) => c.id === id);
  if (known) return known;
  if (id === ALL_WORKFLOWS)
    return { id, label: 'All workflows', icon: 'layers', description: 'One budget over every class' };
  if (id === UNTAGGED)
    return { id, label: 'Untagged', icon: 'circle-outline', description: 'Usage outside a tagged session' };
  return { id, label: humanize(id), icon: 'symbol-misc', description: '' };
}

/** deep_coding → "Deep coding" */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The quick pick behind "Set Workflow Class…": every class with what is left in its band.
import * as vscode from 'vscode';
import { bandForWorkflow } from '../domain/bandLookup';
import { formatMicros, percentText } from '../domain/format';
import { gaugeFor } from '../domain/gauge';
import type { BandsDocument } from '../domain/schemas';
import type { WorkflowClass } from '../domain/workflowClasses';

export async function pickWorkflow(
  classes: readonly WorkflowClass[],
  current: string,
  doc: BandsDocument | undefined,
): Promise<string | undefined> {
  const now = new Date();
  const items = classes.map((cls) => {
    const band = doc ? bandForWorkflow(doc.bands, cls.id) : undefined;
    const g = band ? gaugeFor(band, now) : undefined;
    return {
      id: cls.id,
      label: `$(${cls.icon}) ${cls.label}`,
      description: cls.id === current ? 'current' : cls.description,
      detail:
        band && g
          ? `${formatMicros(g.remainingMicros, g.currency)} left of ${formatMicros(g.allocatedMicros, g.currency)} (${percentText(g.percentUsed)} used) · ${band.status}`
          : 'no band',
    };
  });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Spend Band: Set Workflow Class',
    placeHolder: 'What are you doing now? A switch starts a new tagged session.',
  });
  return pick?.id;
}

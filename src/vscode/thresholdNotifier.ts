// Tells the developer when a band crosses a threshold: once per band, per period, per threshold, with
// "Don't remind me this period". The memory lives in global state, so a restart or a second window does
// not repeat a notification.
import * as vscode from 'vscode';
import { bandLabel, formatMicros, timeLeftText } from '../domain/format';
import { gaugeFor } from '../domain/gauge';
import type { Band } from '../domain/schemas';
import { newCrossings, snoozeKey } from '../domain/thresholdMemory';
import type { WorkflowClass } from '../domain/workflowClasses';
import { readState, writeState } from './storageKeys';
import { showErrorMessage, showWarningMessage } from './notify';

export class ThresholdNotifier {
  constructor(
    private readonly state: vscode.Memento,
    private readonly enabled: () => boolean,
    private readonly classes: () => readonly WorkflowClass[],
    private readonly canRequest: () => boolean,
  ) {}

  /** Called after every refresh with fresh (not stale) bands. Returns the messages shown (for tests). */
  async check(bands: readonly Band[]): Promise<string[]> {
    const remembered = readState(this.state, 'thresholdMemory') ?? [];
    const { crossings, memory } = newCrossings(bands, remembered);
    await writeState(this.state, 'thresholdMemory', memory);
    if (!this.enabled()) return [];
    const shown: string[] = [];
    for (const crossing of crossings) {
      const band = crossing.band;
      const g = gaugeFor(band, new Date());
      const label = bandLabel(band, this.classes());
      const what =
        crossing.threshold.severity === 'exceeded' ? 'is over its allocation' : `passed ${crossing.threshold.percent}%`;
      const message = `Spend Band: ${label} ${what} (${formatMicros(g.usedMicros, g.currency, 'exact')} of ${formatMicros(g.allocatedMicros, g.currency, 'exact')}); it resets in ${timeLeftText(g.msLeft)}.`;
      shown.push(message);
      const actions = ['Open View', ...(this.canRequest() ? ['Request Increase'] : []), "Don't Remind Me This Period"];
      const show = crossing.threshold.severity === 'warn' ? showWarningMessage : showErrorMessage;
      void show(message, ...actions).then(async (choice) => {
        if (choice === 'Open View') await vscode.commands.executeCommand('spendBand.openView');
        else if (choice === 'Request Increase')
          await vscode.commands.executeCommand('spendBand.requestIncrease', { bandId: band.id });
        else if (choice === "Don't Remind Me This Period") await this.snooze(band);
      });
    }
    return shown;
  }

  async snooze(band: Band): Promise<void> {
    const memory = readState(this.state, 'thresholdMemory') ?? [];
    if (!memory.includes(snoozeKey(band)))
      await writeState(this.state, 'thresholdMemory', [...memory, snoozeKey(band)]);
  }
}

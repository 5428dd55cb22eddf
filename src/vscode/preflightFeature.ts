// FIXME(#7): pre-flight for agent runs — estimates, the spendBand task type, terminal watching, LM tools.
import * as vscode from 'vscode';
import type { PreflightDecision } from '../domain/schemas';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';

export interface PreflightFeature extends vscode.Disposable {
  /** the exported API for other extensions: a pre-flight decision for an estimated run */
  checkRun(estimate: { workflow?: string; costUsd?: number }): Promise<PreflightDecision>;
}

export function registerPreflight(_deps: FeatureDeps): PreflightFeature {
  const command = vscode.commands.registerCommand(COMMANDS.runWithPreflight, () =>
    vscode.window.showInformationMessage('Spend Band: pre-flight for agent runs is not available in this build yet.'),
  );
  return {
    checkRun: () => Promise.reject(new Error('Pre-flight is not available in this build yet (issue #7).')),
    dispose: () => command.dispose(),
  };
}

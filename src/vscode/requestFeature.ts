// FIXME(#8): the band-increase request flow.
import * as vscode from 'vscode';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';

export function registerRequests(_deps: FeatureDeps): vscode.Disposable {
  const notYet = () => vscode.window.showInformationMessage('Spend Band: increase requests are not available in this build yet.');
  return vscode.Disposable.from(vscode.commands.registerCommand(COMMANDS.requestIncrease, notYet), vscode.commands.registerCommand(COMMANDS.cancelRequest, notYet));
}

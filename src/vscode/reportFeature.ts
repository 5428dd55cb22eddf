// FIXME(#9): the spend report webview, weekly/monthly reviews, export.
import * as vscode from 'vscode';
import { COMMANDS } from './commandTable';
import type { FeatureDeps } from './featureDeps';

export function registerReport(_deps: FeatureDeps): vscode.Disposable {
  const notYet = () => vscode.window.showInformationMessage('Spend Band: the spend report is not available in this build yet.');
  return vscode.Disposable.from(vscode.commands.registerCommand(COMMANDS.openReport, notYet), vscode.commands.registerCommand(COMMANDS.exportReport, notYet));
}

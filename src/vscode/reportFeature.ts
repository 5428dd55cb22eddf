// FIXME(#9): the spend report webview, weekly/monthly reviews, export.
import * as vscode from 'vscode';
import type { FeatureDeps } from './featureDeps';

export function registerReport(_deps: FeatureDeps): vscode.Disposable {
  return new vscode.Disposable(() => undefined);
}

// Every notification the extension shows goes through here, so the text of a band label, an
// approver's note or name, or an endpoint's error detail can never become a `[link](command:…)` that
// VS Code renders and runs on one click (issue #20 finding 1). The message and a modal's detail pass
// through the notification sink of domain/untrustedText.ts; button labels are our own.
import * as vscode from 'vscode';
import { notificationText } from '../domain/untrustedText';

/** Longest notification text; VS Code clips long messages anyway, this keeps the log short too. */
const MAX_CHARS = 1000;

/** The last messages shown (newest last), for the exported test API: what the person was shown. */
export const recentNotifications: string[] = [];

function clean(message: string, rest: unknown[]): [string, ...unknown[]] {
  const text = notificationText(message, MAX_CHARS);
  recentNotifications.push(text);
  if (recentNotifications.length > 50) recentNotifications.shift();
  const [first, ...others] = rest;
  if (first && typeof first === 'object' && !('title' in first)) {
    const options = first as vscode.MessageOptions;
    return [
      text,
      options.detail === undefined ? options : { ...options, detail: detailText(options.detail) },
      ...others,
    ];
  }
  return [text, ...rest];
}

/** A modal's detail keeps its line breaks (one item a line); each line is cleaned like a message. */
function detailText(detail: string): string {
  return detail
    .split(/\r?\n/)
    .map((line) => notificationText(line, MAX_CHARS))
    .join('\n')
    .slice(0, 4 * MAX_CHARS);
}

type Show = typeof vscode.window.showInformationMessage;

export const showInformationMessage = ((message: string, ...rest: unknown[]) =>
  (vscode.window.showInformationMessage as (...a: unknown[]) => Thenable<unknown>)(...clean(message, rest))) as Show;
export const showWarningMessage = ((message: string, ...rest: unknown[]) =>
  (vscode.window.showWarningMessage as (...a: unknown[]) => Thenable<unknown>)(...clean(message, rest))) as Show;
export const showErrorMessage = ((message: string, ...rest: unknown[]) =>
  (vscode.window.showErrorMessage as (...a: unknown[]) => Thenable<unknown>)(...clean(message, rest))) as Show;

import * as vscode from 'vscode';

/** package.json `publisher.name`. */
export const EXTENSION_ID = 'spend-band.spend-band';

/**
 * What activate() returns, as far as the tests rely on it. The extension's own type is the source of
 * truth; this is the subset the host tests read, kept loose so a test can probe an older build.
 */
export interface SpendBandTestApi {
  /** Milliseconds activate() took, measured by the extension itself. */
  activationMs?: number;
  /** Resolves after the first refresh of the bands (whatever its outcome). */
  whenReady?: () => Promise<void>;
  [key: string]: unknown;
}

/** The extension under test (throws when VS Code did not load it: wrong extensionDevelopmentPath or install). */
export function spendBandExtension(): vscode.Extension<SpendBandTestApi | undefined> {
  const extension = vscode.extensions.getExtension<SpendBandTestApi | undefined>(EXTENSION_ID);
  if (!extension) {
    throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code: check the host's extensionDevelopmentPath (or the installed .vsix)`);
  }
  return extension;
}

/** Activates the extension if needed and returns what activate() returned (undefined when it returns nothing). */
export async function extensionApi(): Promise<SpendBandTestApi | undefined> {
  const extension = spendBandExtension();
  return extension.isActive ? extension.exports : await extension.activate();
}

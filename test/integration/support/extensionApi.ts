import * as vscode from 'vscode';

/** package.json `publisher.name`. */
export const EXTENSION_ID = 'spend-band.spend-band';

/** The command that hands the tests their hooks (src/vscode/services.ts; registered only in ExtensionMode.Test). */
const TEST_HOOKS_COMMAND = 'spendBand.test.hooks';

/**
 * What the test hooks hold, as far as these generic tests rely on it. The extension's own type
 * (SpendBandTestHooks) is the source of truth; this subset is kept loose so a test can probe an older build.
 */
export interface SpendBandTestApi {
  /** Milliseconds activate() took, measured by the extension itself. */
  activationMs?: number;
  /** Resolves after the first refresh of the bands (whatever its outcome). */
  whenReady?: () => Promise<void>;
  [key: string]: unknown;
}

/** The extension under test (throws when VS Code did not load it: wrong extensionDevelopmentPath or install). */
export function spendBandExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension<unknown>(EXTENSION_ID);
  if (!extension) {
    throw new Error(
      `extension ${EXTENSION_ID} is not loaded in this VS Code: check the host's extensionDevelopmentPath (or the installed .vsix)`,
    );
  }
  return extension;
}

/** Activates the extension if needed and returns what activate() returned: the public API. */
export async function extensionApi(): Promise<unknown> {
  const extension = spendBandExtension();
  return extension.isActive ? extension.exports : await extension.activate();
}

/** Activates the extension if needed and returns its test hooks (undefined when this build has none). */
export async function testHooks(): Promise<SpendBandTestApi | undefined> {
  await extensionApi();
  return vscode.commands.executeCommand<SpendBandTestApi | undefined>(TEST_HOOKS_COMMAND);
}

// The CLI that ships inside the extension (dist/cli.js): "Copy CLI Command Line" puts a command line that
// runs it on the clipboard, for the terminal or an alias, and says where the file is.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showInformationMessage } from './notify';

/** `node "<extension>/dist/cli.js"`, quoted for a POSIX shell or PowerShell/cmd. */
export function cliCommandLine(extensionPath: string, platform: NodeJS.Platform = process.platform): string {
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  return platform === 'win32' ? `node "${cli}"` : `node '${cli.replace(/'/g, `'\\''`)}'`;
}

export async function copyCliCommand(extensionPath: string): Promise<string> {
  const line = cliCommandLine(extensionPath);
  // A browser may refuse the clipboard (code-server without permission): the message still shows the line.
  const copied = await vscode.env.clipboard.writeText(line).then(
    () => true,
    () => false,
  );
  void showInformationMessage(
    `Spend Band: ${copied ? 'copied' : 'the clipboard refused; copy it from here:'} "${line}"${copied ? ' to the clipboard' : ''}. Paste it in a terminal (add "status", "usage", "run -- …"), or make an alias named spend-band. It needs Node 20 or later.`,
  );
  return line;
}

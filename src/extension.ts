// activate()/deactivate() only: build the services, start them without awaiting the network, return the
// API. A failure to activate is shown with "Show Log". The integration tests get their hooks from a
// command that exists only in ExtensionMode.Test, so the public API carries none.
import * as vscode from 'vscode';
import { Services, TEST_HOOKS_COMMAND, type SpendBandApi } from './vscode/services';

let services: Services | undefined;

export function activate(context: vscode.ExtensionContext): SpendBandApi | undefined {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Spend Band', { log: true });
  context.subscriptions.push(log);
  try {
    const built = (services = new Services(context, log));
    context.subscriptions.push(built);
    built.start();
    const activationMs = Math.round((performance.now() - started) * 10) / 10;
    log.info(`Activated in ${activationMs} ms (VS Code ${vscode.version}, ${vscode.env.appName}).`);
    if (context.extensionMode === vscode.ExtensionMode.Test) {
      context.subscriptions.push(
        vscode.commands.registerCommand(TEST_HOOKS_COMMAND, () => built.testHooks(activationMs)),
      );
    }
    return built.api();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Activation failed: ${error instanceof Error && error.stack ? error.stack : message}`);
    void vscode.window.showErrorMessage(`Spend Band could not start: ${message}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') log.show();
    });
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  await services?.shutdown();
  services = undefined;
}

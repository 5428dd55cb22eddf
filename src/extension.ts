// activate()/deactivate() only: build the services, start them without awaiting the network, return the
// API. A failure to activate is shown with "Show Log".
import * as vscode from 'vscode';
import { Services, type SpendBandApi } from './vscode/services';

let services: Services | undefined;

export function activate(context: vscode.ExtensionContext): SpendBandApi | undefined {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Spend Band', { log: true });
  context.subscriptions.push(log);
  try {
    services = new Services(context, log);
    context.subscriptions.push(services);
    services.start();
    const activationMs = Math.round((performance.now() - started) * 10) / 10;
    log.info(`Activated in ${activationMs} ms (VS Code ${vscode.version}, ${vscode.env.appName}).`);
    return services.api(activationMs);
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

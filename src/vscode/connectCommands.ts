// Connecting an endpoint (URL, then token into SecretStorage), signing out, and switching to local bands.
import * as vscode from 'vscode';
import type { Config } from './config';
import type { SettingValue } from './settingsTable';
import type { TokenStore } from './tokenStore';

export type SourceKind = 'endpoint' | 'litellm' | 'openrouter';

export interface ConnectArgs {
  url?: string;
  token?: string;
  source?: SourceKind;
}

const SOURCE_PICKS: (vscode.QuickPickItem & { source: SourceKind })[] = [
  { source: 'endpoint', label: '$(server) Bands API v1 endpoint', description: 'your organization’s budget server, or the Spend Band reference server' },
  { source: 'litellm', label: '$(key) LiteLLM proxy', description: 'your own virtual key: /key/info' },
  { source: 'openrouter', label: '$(key) OpenRouter', description: 'your own API key: /api/v1/key' },
];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** Why a URL is refused, or undefined when it is fine. */
export function validateEndpointUrl(value: string, allowInsecureHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter a full URL such as https://budget.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an https:// URL';
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !allowInsecureHttp)
    return 'Plain http:// is only allowed for localhost; use https:// (or enable spendBand.endpoint.allowInsecureHttp)';
  if (url.username || url.password) return 'Do not put credentials in the URL; you will be asked for the token next';
  return undefined;
}

export async function connectEndpoint(config: Config, tokens: TokenStore, args: ConnectArgs | undefined, refresh: () => Promise<void>): Promise<boolean> {
  let source = args?.source;
  if (!source && !args?.url) {
    const pick = await vscode.window.showQuickPick(SOURCE_PICKS, { title: 'Spend Band: Connect (1/3) — where do your bands come from?', ignoreFocusOut: true });
    if (!pick) return false;
    source = pick.source;
  }
  source ??= 'endpoint';
  const allowInsecure = config.get('spendBand.endpoint.allowInsecureHttp');
  let url = args?.url?.trim();
  if (!url) {
    const placeholder = source === 'openrouter' ? 'https://openrouter.ai' : source === 'litellm' ? 'https://litellm.example.com' : 'https://budget.example.com';
    url = await vscode.window.showInputBox({
      title: 'Spend Band: Connect (2/3) — endpoint URL',
      prompt: 'The base URL, without a path. The token will only ever be sent to this origin.',
      value: config.get('spendBand.endpoint.url') || (source === 'openrouter' ? 'https://openrouter.ai' : ''),
      placeHolder: placeholder,
      ignoreFocusOut: true,
      validateInput: (v) => validateEndpointUrl(v, allowInsecure),
    });
    if (!url) return false;
  }
  const invalid = validateEndpointUrl(url, allowInsecure);
  if (invalid) {
    void vscode.window.showErrorMessage(`Spend Band: ${invalid}.`);
    return false;
  }
  let token = args?.token;
  if (!token) {
    token = await vscode.window.showInputBox({
      title: 'Spend Band: Connect (3/3) — your token',
      prompt: `Stored in VS Code's secret storage for ${new URL(url).origin} only; never written to settings or logs.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length < 8 ? 'The token looks too short' : /\s/.test(v.trim()) ? 'The token must not contain spaces' : undefined),
    });
    if (!token) return false;
  }
  await tokens.set(url, token.trim());
  await config.update('spendBand.endpoint.url', url.replace(/\/+$/, ''));
  await config.update('spendBand.source', source);
  await refresh();
  return true;
}

export async function signOut(config: Config, tokens: TokenStore, refresh: () => Promise<void>): Promise<void> {
  const url = config.get('spendBand.endpoint.url');
  if (url) await tokens.delete(url);
  void vscode.window.showInformationMessage('Spend Band: signed out; the token was removed from secret storage.');
  await refresh();
}

const STARTER_BANDS: SettingValue<'spendBand.local.bands'> = [
  { workflow: 'light_assist', allocated_usd: 20 },
  { workflow: 'deep_coding', allocated_usd: 200 },
  { workflow: 'review', allocated_usd: 40 },
  { workflow: 'research', allocated_usd: 30 },
  { workflow: 'background_automation', allocated_usd: 50, period: 'P1W', escalation: [{ estimate_at_least_usd: 5, action: 'warn' }] },
];

export async function useLocalBands(config: Config): Promise<void> {
  await config.update('spendBand.source', 'local');
  if (config.get('spendBand.local.bands').length === 0) {
    await config.update('spendBand.local.bands', STARTER_BANDS);
    const choice = await vscode.window.showInformationMessage(
      'Spend Band: local bands created in your user settings (spendBand.local.bands) with example allowances. Edit them to match what your organization gives you; usage is measured from the agent logs on this machine.',
      'Open Settings',
    );
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'spendBand.local');
  }
}

// Connecting a source (where the bands come from, its URL, then a token checked with the source and only
// then kept in SecretStorage), signing out, and switching to local bands.
//
// The flow is one multi-step input with Back on every step after the first. Called with arguments
// ({url, token, source}) the command may come from outside the extension's own UI (a command link in
// rendered Markdown, another extension, a keybinding): before any setting changes or any secret is stored
// a modal says exactly what will happen, and nothing happens unless the person confirms.
import * as vscode from 'vscode';
import type { Config } from './config';
import { MultiStepInput, type Step } from './multiStepInput';
// an endpoint's error detail can carry [x](command:…) links: every message goes through the notification sink (#20)
import { showErrorMessage, showInformationMessage, showWarningMessage } from './notify';
import type { SettingValue } from './settingsTable';
import type { TokenStore } from './tokenStore';

export type SourceKind = 'endpoint' | 'litellm' | 'openrouter';

export interface ConnectArgs {
  url?: string;
  token?: string;
  source?: SourceKind;
}

/** Asks the source with a token that is not stored yet; returns why it failed, or undefined. */
export type ConnectionCheck = (source: SourceKind, url: string, token: string) => Promise<string | undefined>;

export interface ConnectUi {
  /** a modal; resolves with the chosen button, or undefined for Cancel */
  confirm(message: string, detail: string, button: string): Promise<string | undefined>;
}

/** Internal commands registered only in ExtensionMode.Test: integration tests answer the modal through them. */
export const CONNECT_TEST_COMMANDS = {
  answer: 'spendBand.connect.test.answer',
  shown: 'spendBand.connect.test.shown',
} as const;

export interface ShownConfirm {
  message: string;
  detail: string;
  answer: string | undefined;
}

/** The real modal; in Test mode a queued answer (null = Cancel) replaces the click, and every modal is recorded. */
export class ConnectPrompts implements ConnectUi, vscode.Disposable {
  private readonly answers: (string | null)[] = [];
  private readonly shown: ShownConfirm[] = [];
  private readonly registrations: vscode.Disposable[] = [];

  constructor(private readonly testMode: boolean) {
    if (!testMode) return;
    this.registrations.push(
      vscode.commands.registerCommand(
        CONNECT_TEST_COMMANDS.answer,
        (answer: string | null) => void this.answers.push(answer),
      ),
      vscode.commands.registerCommand(CONNECT_TEST_COMMANDS.shown, () => this.shown.splice(0)),
    );
  }

  async confirm(message: string, detail: string, button: string): Promise<string | undefined> {
    const queued = this.testMode && this.answers.length > 0 ? this.answers.shift() : undefined;
    const answer =
      queued !== undefined ? (queued ?? undefined) : await showWarningMessage(message, { modal: true, detail }, button);
    if (this.testMode) this.shown.push({ message, detail, answer });
    return answer;
  }

  dispose(): void {
    this.registrations.forEach((r) => r.dispose());
  }
}

const SOURCE_PICKS: (vscode.QuickPickItem & { source: SourceKind })[] = [
  {
    source: 'endpoint',
    label: '$(server) Bands API v1 endpoint',
    description: 'your organization’s budget server, or the Spend Band reference server',
  },
  { source: 'litellm', label: '$(key) LiteLLM proxy', description: 'your own virtual key: /key/info' },
  { source: 'openrouter', label: '$(key) OpenRouter', description: 'your own API key: /api/v1/key' },
];

const SOURCE_NAMES: Record<SourceKind, string> = {
  endpoint: 'Bands API v1 endpoint',
  litellm: 'LiteLLM proxy',
  openrouter: 'OpenRouter',
};

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

function validateToken(value: string): string | undefined {
  const token = value.trim();
  return token.length < 8
    ? 'The token looks too short'
    : /\s/.test(token)
      ? 'The token must not contain spaces'
      : undefined;
}

/** What the modal says will happen: the settings written and where the token goes (never the token itself). */
export function describeConnect(
  source: SourceKind,
  url: string,
  token: string | undefined,
): { message: string; detail: string } {
  const origin = new URL(url).origin;
  const lines = [
    'A command asked Spend Band to connect, with its own URL and token (from a link, another extension or a keybinding). If you go on, Spend Band will:',
    `• set spendBand.source to "${source}" and spendBand.endpoint.url to "${url}" in your user settings;`,
    token
      ? `• keep the token it was given (${token.length} characters) in VS Code's secret storage for ${origin}, after checking it with that server, and send it there on every refresh;`
      : `• ask you for a token for ${origin}, check it with that server and keep it in VS Code's secret storage;`,
    `• show the bands of ${origin} in place of your current source.`,
    'Go on only if you started this and trust that server.',
  ];
  return { message: `Connect Spend Band to the ${SOURCE_NAMES[source]} at ${origin}?`, detail: lines.join('\n') };
}

export interface ConnectDeps {
  config: Config;
  tokens: TokenStore;
  check: ConnectionCheck;
  ui: ConnectUi;
  refresh: () => Promise<void>;
}

/** true when a source was connected; false when the person cancelled (or refused a link's request). */
export async function connectEndpoint(deps: ConnectDeps, args: ConnectArgs | undefined): Promise<boolean> {
  const { config } = deps;
  const allowInsecure = config.get('spendBand.endpoint.allowInsecureHttp');
  const given = {
    source: SOURCE_PICKS.some((p) => p.source === args?.source) ? args?.source : undefined,
    url: typeof args?.url === 'string' && args.url.trim() !== '' ? args.url.trim() : undefined,
    token: typeof args?.token === 'string' && args.token.trim() !== '' ? args.token.trim() : undefined,
  };
  if (given.url !== undefined || given.token !== undefined || given.source !== undefined) {
    // arguments came from a caller, not from a person typing: say what would happen, first
    const url = given.url ?? config.get('spendBand.endpoint.url');
    const invalid = url ? validateEndpointUrl(url, allowInsecure) : 'No endpoint URL was given';
    if (invalid) {
      void showErrorMessage(
        `Spend Band: a command asked to connect, but: ${invalid}. Nothing was changed; run "Spend Band: Connect Endpoint…" yourself.`,
      );
      return false;
    }
    const { message, detail } = describeConnect(given.source ?? 'endpoint', url, given.token);
    if ((await deps.ui.confirm(message, detail, 'Connect')) !== 'Connect') return false;
  }

  const state: { source: SourceKind | undefined; url: string | undefined; token: string | undefined } = {
    source: given.source ?? (given.url ? 'endpoint' : undefined),
    url: given.url,
    token: given.token,
  };
  if (state.url && state.token) {
    const problem = await deps.check(state.source ?? 'endpoint', state.url, state.token);
    if (problem === undefined) return store(deps, state.source ?? 'endpoint', state.url, state.token);
    // the server refused the token it was given: nothing is stored; the person may type one
    void showWarningMessage(
      `Spend Band: ${new URL(state.url).origin} refused the token the command gave: ${problem} Nothing was stored; enter a token, or press Escape.`,
    );
    state.token = undefined;
  }

  // Steps: [source,] URL, token; Back on every step after the first, each answer kept when going back.
  const withSourceStep = state.source === undefined;
  const total = withSourceStep ? 3 : 2;
  const first = withSourceStep ? 1 : 0;
  const pickSource: Step = async (input) => {
    const active = SOURCE_PICKS.find((p) => p.source === state.source);
    const pick = await input.pick({
      title: 'Spend Band: Connect — where do your bands come from?',
      step: 1,
      totalSteps: total,
      items: SOURCE_PICKS,
      ...(active ? { activeItem: active } : {}),
    });
    state.source = pick.source;
    return enterUrl;
  };
  const enterUrl: Step = async (input) => {
    const source = state.source ?? 'endpoint';
    const value = await input.text({
      title: `Spend Band: Connect — ${SOURCE_NAMES[source]} URL`,
      step: first + 1,
      totalSteps: total,
      value:
        state.url ?? (config.get('spendBand.endpoint.url') || (source === 'openrouter' ? 'https://openrouter.ai' : '')),
      prompt: 'The base URL, without a path. The token will only ever be sent to this origin.',
      placeholder:
        source === 'openrouter'
          ? 'https://openrouter.ai'
          : source === 'litellm'
            ? 'https://litellm.example.com'
            : 'https://budget.example.com',
      validate: (v) => validateEndpointUrl(v, allowInsecure),
    });
    state.url = value.trim();
    return enterToken;
  };
  const enterToken: Step = async (input) => {
    const source = state.source ?? 'endpoint';
    const url = state.url!;
    const origin = new URL(url).origin;
    const value = await input.text({
      title: `Spend Band: Connect — your token for ${origin}`,
      step: first + 2,
      totalSteps: total,
      value: '',
      password: true,
      prompt: `Checked with ${origin} before it is kept, in VS Code's secret storage for that origin only; never written to settings or logs.`,
      validate: validateToken,
      check: (token) => deps.check(source, url, token.trim()),
    });
    state.token = value.trim();
  };
  const finished = await MultiStepInput.run(withSourceStep ? pickSource : enterUrl);
  if (!finished || !state.url || !state.token) return false;
  return store(deps, state.source ?? 'endpoint', state.url, state.token);
}

async function store(deps: ConnectDeps, source: SourceKind, url: string, token: string): Promise<boolean> {
  await deps.tokens.set(url, token);
  await deps.config.update('spendBand.endpoint.url', url.replace(/\/+$/, ''));
  await deps.config.update('spendBand.source', source);
  await deps.refresh();
  return true;
}
export async function signOut(config: Config, tokens: TokenStore, refresh: () => Promise<void>): Promise<void> {
  const url = config.get('spendBand.endpoint.url');
  if (url) await tokens.delete(url);
  void showInformationMessage('Spend Band: signed out; the token was removed from secret storage.');
  await refresh();
}

const STARTER_BANDS: SettingValue<'spendBand.local.bands'> = [
  { workflow: 'light_assist', allocated_usd: 20 },
  { workflow: 'deep_coding', allocated_usd: 200 },
  { workflow: 'review', allocated_usd: 40 },
  { workflow: 'research', allocated_usd: 30 },
  {
    workflow: 'background_automation',
    allocated_usd: 50,
    period: 'P1W',
    escalation: [{ estimate_at_least_usd: 5, action: 'warn' }],
  },
];

export async function useLocalBands(config: Config): Promise<void> {
  await config.update('spendBand.source', 'local');
  if (config.get('spendBand.local.bands').length === 0) {
    await config.update('spendBand.local.bands', STARTER_BANDS);
    const choice = await showInformationMessage(
      'Spend Band: local bands created in your user settings (spendBand.local.bands) with example allowances. Edit them to match what your organization gives you; usage is measured from the agent logs on this machine.',
      'Open Settings',
    );
    if (choice === 'Open Settings')
      await vscode.commands.executeCommand('workbench.action.openSettings', 'spendBand.local');
  }
}

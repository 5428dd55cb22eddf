// Turns settings + the stored token into a source for the shared client (api/bandsSource.ts) and its
// answer into the snapshot the views render. VS Code's proxy settings are passed to the client here.
import { readFile, unlink } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ApiError } from '../api/apiError';
import type { BandsClient } from '../api/bandsClient';
import { clientForSource, loadBands, type SourceConfig } from '../api/bandsSource';
import type { ProxyOptions } from '../api/proxySettings';
import {
  LocalConfigError,
  localBandsDocument,
  validateLocalConfig,
  type LocalConfig,
  type LocalUsage,
  type SelfSetIncrease,
} from '../domain/localConfig';
import type { LocalLedger } from '../flows/requests/requestOutbox';
import type { BandsSnapshot, SnapshotLoader } from './bandsService';
import type { Config } from './config';
import type { TokenStore } from './tokenStore';

export type ResolvedSource =
  | { kind: 'none' }
  | { kind: 'local'; config: LocalConfig }
  | { kind: 'endpoint' | 'litellm' | 'openrouter'; url: string };

const OPENROUTER_DEFAULT = 'https://openrouter.ai';

function localConfigFrom(config: Config): LocalConfig {
  const s = config.settings;
  return validateLocalConfig(
    {
      currency: s['spendBand.local.currency'],
      ...(s['spendBand.local.timezone'] ? { timezone: s['spendBand.local.timezone'] } : {}),
      ...(s['spendBand.local.role'] ? { role: s['spendBand.local.role'] } : {}),
      seats: s['spendBand.local.seats'],
      bands: s['spendBand.local.bands'],
      ...(s['spendBand.local.perRunCapUsd'] !== null ? { per_run_cap_usd: s['spendBand.local.perRunCapUsd'] } : {}),
    },
    'settings (spendBand.local.*)',
  );
}

export function resolveSource(config: Config): ResolvedSource {
  const kind = config.get('spendBand.source');
  const url = config.get('spendBand.endpoint.url').trim();
  if (kind === 'local' || (kind === 'auto' && !url)) {
    if (
      kind === 'auto' &&
      config.get('spendBand.local.bands').length === 0 &&
      config.get('spendBand.local.seats').length === 0
    )
      return { kind: 'none' };
    return { kind: 'local', config: localConfigFrom(config) };
  }
  if (kind === 'openrouter') return { kind, url: url || OPENROUTER_DEFAULT };
  if (!url) return { kind: 'none' };
  return { kind: kind === 'auto' ? 'endpoint' : kind, url };
}

/** Changes when the answer would come from somewhere else (a snapshot of another source is dropped). */
export function configKeyOf(config: Config): string {
  const s = config.settings;
  return JSON.stringify([
    s['spendBand.source'],
    s['spendBand.endpoint.url'],
    s['spendBand.local.bands'],
    s['spendBand.local.seats'],
    s['spendBand.local.timezone'],
  ]);
}

function proxyOptions(): ProxyOptions {
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy')?.trim();
  const noProxy = http.get<string[]>('noProxy') ?? [];
  return {
    ...(url ? { url } : {}),
    strictSSL: http.get<boolean>('proxyStrictSSL', true),
    ...(noProxy.length > 0 ? { noProxy } : {}),
  };
}

function userAgent(): string {
  const extension = vscode.extensions.getExtension('spend-band.spend-band');
  return `spend-band-vscode/${String(extension?.packageJSON.version ?? '0')} vscode/${vscode.version}`;
}

export interface LoaderDeps {
  config: Config;
  tokens: TokenStore;
  storageDir: string;
  log: vscode.LogOutputChannel;
  localUsage?: () => Promise<LocalUsage>;
  /** self-set increases from the local ledger that apply now */
  localIncreases?: () => Promise<SelfSetIncrease[]>;
}

/** Ledger entries in effect at `now`, as increases on local bands. */
export async function selfSetIncreases(ledger: LocalLedger, now: Date): Promise<SelfSetIncrease[]> {
  const t = now.getTime();
  return (await ledger.entries())
    .filter((e) => Date.parse(e.effective_from) <= t && Date.parse(e.until ?? '') > t)
    .map((e) => ({ workflow: e.workflow, amount_micros: e.delta_micros, until: e.until!, request_id: e.id }));
}

export function createSnapshotLoader(deps: LoaderDeps): SnapshotLoader {
  return async (signal) => {
    const configKey = configKeyOf(deps.config);
    let resolved: ResolvedSource;
    try {
      resolved = resolveSource(deps.config);
    } catch (error) {
      if (error instanceof LocalConfigError) {
        return {
          source: 'local',
          document: undefined,
          stale: false,
          fetchedAt: undefined,
          error: { kind: 'invalidConfig', message: `${error.message}. Fix your settings.` },
          configKey,
        };
      }
      throw error;
    }
    if (resolved.kind === 'none')
      return { source: 'none', document: undefined, stale: false, fetchedAt: undefined, error: undefined, configKey };
    let source: SourceConfig;
    if (resolved.kind === 'local') {
      // Local bands are computed here rather than by loadBands: self-set increases from the ledger apply.
      const now = new Date();
      const [usage, increases] = await Promise.all([
        deps.localUsage?.(),
        deps.localIncreases?.() ?? Promise.resolve([]),
      ]);
      const document = localBandsDocument(
        resolved.config,
        now,
        usage ?? { usedByWorkflow: new Map(), asOf: now },
        sumByWorkflow(increases),
      );
      return { source: 'local', document, stale: false, fetchedAt: now.toISOString(), error: undefined, configKey };
    } else {
      const token = await deps.tokens.get(resolved.url);
      if (!token) {
        return {
          source: resolved.kind,
          document: undefined,
          stale: false,
          fetchedAt: undefined,
          error: {
            kind: 'unauthorized',
            message: `No token is stored for ${new URL(resolved.url).origin}. Run "Spend Band: Connect Endpoint…" to add it.`,
          },
          configKey,
        };
      }
      const http = {
        token,
        proxy: proxyOptions(),
        allowInsecureHttp: deps.config.get('spendBand.endpoint.allowInsecureHttp'),
        userAgent: userAgent(),
      };
      source =
        resolved.kind === 'openrouter'
          ? { kind: 'openrouter', baseUrl: resolved.url, ...http }
          : { kind: resolved.kind, baseUrl: resolved.url, ...http };
    }
    try {
      const result = await loadBands(source, {
        now: new Date(),
        signal,
        cacheDir: `${deps.storageDir}/cache`,
        localUsage: deps.localUsage,
      });
      return {
        source: result.source,
        document: result.document,
        stale: result.stale,
        fetchedAt: result.fetchedAt,
        error: result.error ? { kind: result.error.kind, message: result.error.message } : undefined,
        configKey,
        unbudgeted: result.unbudgeted,
      } satisfies BandsSnapshot;
    } catch (error) {
      if (error instanceof ApiError) {
        return {
          source: source.kind,
          document: undefined,
          stale: false,
          fetchedAt: undefined,
          error: { kind: error.kind, message: error.message },
          configKey,
        };
      }
      throw error;
    }
  };
}

/** Several self-set increases on one band add up (localBandsDocument takes one per class). */
function sumByWorkflow(increases: readonly SelfSetIncrease[]): SelfSetIncrease[] {
  const byWorkflow = new Map<string, SelfSetIncrease>();
  for (const inc of increases) {
    const prev = byWorkflow.get(inc.workflow);
    byWorkflow.set(
      inc.workflow,
      prev
        ? {
            ...prev,
            amount_micros: prev.amount_micros + inc.amount_micros,
            until: prev.until < inc.until ? prev.until : inc.until,
          }
        : { ...inc },
    );
  }
  return [...byWorkflow.values()];
}

/**
 * Asks a source once with a token that is not stored yet (GET /v1/me/bands, LiteLLM /key/info,
 * OpenRouter /api/v1/key); returns why it failed, or undefined when the source answered.
 */
export async function checkConnection(
  config: Config,
  kind: 'endpoint' | 'litellm' | 'openrouter',
  url: string,
  token: string,
): Promise<string | undefined> {
  const http = {
    token,
    proxy: proxyOptions(),
    allowInsecureHttp: config.get('spendBand.endpoint.allowInsecureHttp'),
    userAgent: userAgent(),
    // a person is waiting: one try, and not for long
    retry: { tries: 1 },
    timeouts: { totalMs: 20_000 },
  };
  const source: SourceConfig =
    kind === 'openrouter' ? { kind, baseUrl: url, ...http } : { kind, baseUrl: url, ...http };
  try {
    await loadBands(source, { now: new Date() });
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}

/** A client for the connected Bands API v1 endpoint, or undefined when there is none (or no token). */
export async function createClient(config: Config, tokens: TokenStore): Promise<BandsClient | undefined> {
  const resolved = resolveSource(config);
  if (resolved.kind !== 'endpoint') return undefined;
  const token = await tokens.get(resolved.url);
  if (!token) return undefined;
  return clientForSource({
    kind: 'endpoint',
    baseUrl: resolved.url,
    token,
    proxy: proxyOptions(),
    allowInsecureHttp: config.get('spendBand.endpoint.allowInsecureHttp'),
    userAgent: userAgent(),
  });
}

/**
 * A one-time hand-off for launchers (the demo, the e2e tests): whoever starts VS Code may put the token in
 * a file named by SPEND_BAND_TOKEN_FILE; it is moved into secret storage for the configured endpoint and
 * the file is deleted. The environment belongs to the person who started the editor, not to a workspace.
 */
export async function importHandedOverToken(
  config: Config,
  tokens: TokenStore,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const file = process.env.SPEND_BAND_TOKEN_FILE;
  if (!file) return;
  const url = config.get('spendBand.endpoint.url').trim();
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch {
    return;
  }
  if (!url) {
    log.warn(
      'SPEND_BAND_TOKEN_FILE is set but spendBand.endpoint.url is empty in your user settings; the token was not imported.',
    );
    return;
  }
  if (token) await tokens.set(url, token);
  await unlink(file).catch(() => undefined);
  log.info(
    `Imported the token handed over through SPEND_BAND_TOKEN_FILE into secret storage for ${new URL(url).origin}.`,
  );
}

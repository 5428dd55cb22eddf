// Which proxy applies to a request: explicit options (VS Code's http.proxy / http.proxyStrictSSL /
// http.noProxy, or the CLI's flags) win over the environment (HTTPS_PROXY / HTTP_PROXY / NO_PROXY). The
// environment is passed in, not read globally, so the CLI and tests decide what it is. No undici here:
// the extension bundle names the proxy in its messages without carrying the CLI's HTTP stack.

export interface ProxyOptions {
  /** proxy URL, e.g. http://proxy.corp:3128; overrides HTTPS_PROXY / HTTP_PROXY */
  url?: string;
  /** verify TLS certificates (of the endpoint, and of an https proxy); default true */
  strictSSL?: boolean;
  /** hosts that bypass the proxy, comma-separated or a list (NO_PROXY syntax); overrides NO_PROXY */
  noProxy?: string | readonly string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ResolvedProxy {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
  strictSSL: boolean;
}

function envValue(env: Environment, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** Which proxy applies; empty strings mean "none" (and stop undici from reading process.env itself). */
export function resolveProxy(proxy: ProxyOptions | undefined, env: Environment): ResolvedProxy {
  const explicit = proxy?.url?.trim() || undefined;
  const httpProxy = explicit ?? envValue(env, 'http_proxy') ?? '';
  const httpsProxy = explicit ?? envValue(env, 'https_proxy') ?? httpProxy;
  const noProxyOption = proxy?.noProxy;
  const noProxy =
    noProxyOption === undefined
      ? (envValue(env, 'no_proxy') ?? '')
      : typeof noProxyOption === 'string'
        ? noProxyOption
        : noProxyOption.join(',');
  return { httpProxy, httpsProxy, noProxy, strictSSL: proxy?.strictSSL ?? true };
}

// The undici dispatcher every CLI request goes through: a plain Agent, or a proxy agent when a proxy is
// configured (see proxySettings.ts for which one applies). undici's agent does proxies on Node 20, where
// the built-in fetch does not.
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { resolveProxy, type Environment, type ProxyOptions } from './proxySettings';

export type { Environment, ProxyOptions, ResolvedProxy } from './proxySettings';
export { resolveProxy } from './proxySettings';

export interface DispatcherSettings {
  proxy?: ProxyOptions;
  env?: Environment;
  connectTimeoutMs: number;
}

export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  const resolved = resolveProxy(settings.proxy, settings.env ?? process.env);
  const tls = { rejectUnauthorized: resolved.strictSSL };
  const connect = { timeout: settings.connectTimeoutMs, ...tls };
  if (resolved.httpProxy === '' && resolved.httpsProxy === '') return new Agent({ connect });
  return new EnvHttpProxyAgent({
    httpProxy: resolved.httpProxy,
    httpsProxy: resolved.httpsProxy,
    noProxy: resolved.noProxy,
    connect,
    requestTls: tls,
    proxyTls: tls,
  });
}

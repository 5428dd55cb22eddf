// Requests through undici's own agent (proxy from the options or HTTPS_PROXY/NO_PROXY, connect timeout,
// TLS verification): the CLI's transport, and the default in plain Node.
import { request } from 'undici';
import type { HttpSender, RawResponse, SendInit, SenderSettings } from './httpSender';
import { createDispatcher } from './proxyDispatcher';

export function createUndiciSender(settings: SenderSettings): HttpSender {
  const dispatcher = createDispatcher({
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    env: settings.env,
    connectTimeoutMs: settings.connectTimeoutMs,
  });
  return {
    async send(url: URL, init: SendInit): Promise<RawResponse> {
      const response = await request(url, {
        dispatcher,
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: init.signal,
        headersTimeout: init.headersTimeoutMs,
        bodyTimeout: init.bodyTimeoutMs,
      });
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(response.headers))
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      return { status: response.statusCode, headers, body: response.body, discard: () => response.body.destroy() };
    },
    close: () => dispatcher.close().catch(() => undefined),
  };
}

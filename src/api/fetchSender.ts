// Requests through the global fetch. In VS Code's extension host that fetch goes through VS Code's
// networking: http.proxy, PAC scripts, http.proxyStrictSSL and the operating system's certificates,
// the way every other extension's requests do; undici's own agent would bypass all of them. The proxy
// options are therefore not applied here (VS Code applies its own); redirects are left to HttpTransport.
import type { HttpSender, RawResponse, SendInit, SenderSettings } from './httpSender';

class HeadersTimeout extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
}

export function createFetchSender(_settings: SenderSettings): HttpSender {
  return {
    async send(url: URL, init: SendInit): Promise<RawResponse> {
      const controller = new AbortController();
      const onAbort = () => controller.abort(init.signal.reason);
      if (init.signal.aborted) onAbort();
      init.signal.addEventListener('abort', onAbort, { once: true });
      let headersTimedOut = false;
      const headersTimer = setTimeout(() => {
        headersTimedOut = true;
        controller.abort();
      }, init.headersTimeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method: init.method,
          headers: init.headers,
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal: controller.signal,
          redirect: 'manual',
        });
      } catch (error) {
        init.signal.removeEventListener('abort', onAbort);
        if (headersTimedOut && !init.signal.aborted)
          throw new HeadersTimeout('no response headers in time', { cause: error });
        throw error;
      } finally {
        clearTimeout(headersTimer);
      }
      const headers: Record<string, string | undefined> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const stream = response.body;
      const discard = () => {
        init.signal.removeEventListener('abort', onAbort);
        controller.abort();
      };
      async function* body(): AsyncIterable<Uint8Array> {
        if (!stream) return;
        try {
          for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) yield chunk;
        } finally {
          init.signal.removeEventListener('abort', onAbort);
        }
      }
      return { status: response.status, headers, body: body(), discard };
    },
    close: async () => undefined,
  };
}

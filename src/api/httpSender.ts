// The seam between HttpTransport (redirects, retries, size caps, error classification) and the code that
// puts one request on the wire. Two implementations: undiciSender (the CLI and the tests: undici's agent,
// with proxies on Node 20) and fetchSender (the extension: the extension host's global fetch, which
// VS Code routes through http.proxy, PAC scripts and the system's certificates).
import type { Environment, ProxyOptions } from './proxySettings';

export interface SenderSettings {
  proxy?: ProxyOptions;
  env: Environment;
  connectTimeoutMs: number;
}

export interface SendInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** from sending to the response headers; the error then carries code UND_ERR_HEADERS_TIMEOUT */
  headersTimeoutMs: number;
  /** the longest pause between two pieces of the body, where the sender can enforce it */
  bodyTimeoutMs: number;
}

export interface RawResponse {
  status: number;
  /** lower-case names, repeated headers joined with ", " */
  headers: Record<string, string | undefined>;
  body: AsyncIterable<Uint8Array>;
  /** stop reading and release the connection */
  discard(): void;
}

export interface HttpSender {
  send(url: URL, init: SendInit): Promise<RawResponse>;
  close(): Promise<void>;
}

export type SenderFactory = (settings: SenderSettings) => HttpSender;

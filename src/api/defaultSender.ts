// The sender HttpTransport uses unless told otherwise. The extension's build (esbuild.mjs) resolves
// this module to fetchSender.ts, so the extension goes through VS Code's networking and carries no
// undici; the CLI and the tests in plain Node get undici (proxies on Node 20).
export { createUndiciSender as createDefaultSender } from './undiciSender';

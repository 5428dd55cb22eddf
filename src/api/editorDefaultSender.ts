// What defaultSender.ts becomes in the extension's bundle (esbuild.mjs): the global fetch, which
// VS Code's extension host routes through its proxy settings, PAC and the system's certificates.
export { createFetchSender as createDefaultSender } from './fetchSender';

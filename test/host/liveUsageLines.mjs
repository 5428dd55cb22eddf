// What the demo prints for issue #15: how Claude Code / Codex send their own usage to the server, and
// the hook and status line. Claude Code runs hooks and the status line in the project's folder, so the
// commands carry absolute paths (as `hook install` writes them), and the hook reads the endpoint and
// token from the environment Claude Code itself was started with.
import { join } from 'node:path';
import { distCli, repoRoot } from './paths.mjs';

const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A spend-band command line, runnable from any folder. */
export function cliCommand(sub) {
  return `${quote(process.execPath)} ${quote(distCli)} ${sub}`;
}

/**
 * The status line as Claude Code should run it: its own entry (dist/spend-band-statusline.js), by
 * absolute path, with NODE_EXTRA_CA_CERTS cleared (it makes no connection; Node 20 would parse that
 * file at start) — what flows/agents/claudeHooks.ts fastEntryCommand writes for the hook.
 */
export function statuslineCommand() {
  return `NODE_EXTRA_CA_CERTS= ${quote(process.execPath)} ${quote(join(repoRoot, 'dist', 'spend-band-statusline.js'))}`;
}

export function liveUsageLines(url, token) {
  return [
    '  Claude Code → this server (your shell, or "env" in ~/.claude/settings.json):',
    '    export CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_LOGS_EXPORTER=otlp OTEL_METRICS_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    `    export OTEL_EXPORTER_OTLP_ENDPOINT=${url}/v1/otlp OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${token}"`,
    '  Codex → this server (~/.codex/config.toml):',
    `    [otel]  exporter = { otlp-http = { endpoint = "${url}/v1/otlp/v1/logs", protocol = "binary", headers = { "Authorization" = "Bearer ${token}" } } }`,
    `  Pre-flight hook:   ${cliCommand('hook install --dry-run')}   (then without --dry-run; it writes the command only, no endpoint)`,
    `    Start Claude Code with the endpoint in its environment, or the hook decides from cached bands:`,
    `    export SPEND_BAND_ENDPOINT=${url} SPEND_BAND_TOKEN=${token}   (before running claude)`,
    `  Status line:       "statusLine": { "type": "command", "command": ${JSON.stringify(statuslineCommand())} }   in ~/.claude/settings.json`,
    `    It reads the bands cached by the extension or "spend-band status"; no network.`,
    `  Move the gauge:    SPEND_BAND_TOKEN=${token} node test/host/otlpDemo.mjs ${url}   (OpenTelemetry SDK → OTLP → the server)`,
  ];
}

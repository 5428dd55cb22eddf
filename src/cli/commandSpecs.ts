// The flag tables of every `spend-band` command (docs/contract/cli.md): main.ts parses argv with
// them and generates each command's --help from them. Pure data, so the small dispatcher bundle can
// carry it without loading any command. A new command adds its table here and its loader in main.ts.
import type { CommandSpec, FlagSpec } from './args';

const CONFIG: FlagSpec = {
  name: 'config',
  type: 'string',
  value: 'FILE',
  env: 'SPEND_BAND_CONFIG',
  default: '$XDG_CONFIG_HOME/spend-band/config.json',
  description: 'the local config file with your bands (a file named here must exist)',
};
const CACHE_DIR: FlagSpec = {
  name: 'cache-dir',
  type: 'string',
  value: 'DIR',
  env: 'SPEND_BAND_CACHE',
  default: '$XDG_CACHE_HOME/spend-band',
  description: 'where the last good bands and the usage index are kept',
};

/** Where bands and tokens come from: status, preflight, run, request, requests, report. */
export const SOURCE_FLAG_SPECS: readonly FlagSpec[] = [
  {
    name: 'source',
    type: 'string',
    choices: ['auto', 'endpoint', 'litellm', 'openrouter', 'local'],
    env: 'SPEND_BAND_SOURCE',
    default: 'auto',
    description: 'which source answers; auto is the endpoint when one is configured, else the local config',
  },
  {
    name: 'endpoint',
    type: 'string',
    value: 'URL',
    env: 'SPEND_BAND_ENDPOINT',
    description: 'base URL of the Bands API v1 endpoint (or the LiteLLM / OpenRouter URL)',
  },
  {
    name: 'token-env',
    type: 'string',
    value: 'NAME',
    default: 'SPEND_BAND_TOKEN',
    description: 'the environment variable that holds your token; a token is never taken on the command line',
  },
  CONFIG,
  CACHE_DIR,
  {
    name: 'allow-insecure-http',
    type: 'boolean',
    description: 'allow plain http:// to a host other than this machine (the token crosses the network in clear)',
  },
  { name: 'timeout', type: 'string', value: 'SECONDS', description: 'give up on the source after this long' },
  {
    name: 'offline',
    type: 'boolean',
    description: 'do not ask the source; use the bands cached by the last good answer',
  },
];

const CLAUDE_DIR: FlagSpec = {
  name: 'claude-dir',
  type: 'string',
  value: 'DIR',
  multiple: true,
  env: 'CLAUDE_CONFIG_DIR, comma-separated',
  default: '~/.config/claude and ~/.claude',
  description: 'a Claude Code folder whose projects/ logs are counted',
};
const CODEX_DIR: FlagSpec = {
  name: 'codex-dir',
  type: 'string',
  value: 'DIR',
  multiple: true,
  env: 'CODEX_HOME',
  default: '~/.codex',
  description: 'a Codex folder whose sessions/ logs are counted',
};
const SESSIONS: FlagSpec = {
  name: 'sessions',
  type: 'string',
  value: 'FILE',
  description: "the extension's session journal (JSON lines), to attribute usage to workflow classes",
};
const PRICES: FlagSpec = {
  name: 'prices',
  type: 'string',
  value: 'FILE',
  env: 'SPEND_BAND_PRICES',
  default: 'prices.json beside the config file',
  description: 'your own model prices, over the built-in table',
};
const TIMEZONE: FlagSpec = {
  name: 'timezone',
  type: 'string',
  value: 'ZONE',
  default: "the system's",
  description: 'IANA time zone for days and months, e.g. Europe/Berlin',
};

/** The no-estimate rule (flows/preflight/decision.ts noEstimateDecision), said in preflight and run --help. */
const NO_ESTIMATE_HELP =
  'No estimate (--from-history or a run of a known agent finding no past runs, or no estimate flag for another command) is never a silent allow: the run is checked as zero, nothing is reserved, and an allow becomes a warn (exit 10) with the reason "No estimate for this run". Give --estimate-usd N, or run the agent once so there is history.';

const ESTIMATE_FLAG_SPECS: readonly FlagSpec[] = [
  {
    name: 'estimate-usd',
    type: 'string',
    value: 'N',
    description: 'the estimated cost of the run in dollars, e.g. 4.50',
  },
  {
    name: 'estimate-tokens',
    type: 'string',
    value: 'N',
    description: 'the estimated tokens of the run (with --model, priced from the price table)',
  },
  {
    name: 'model',
    type: 'string',
    value: 'ID',
    description: 'the model that prices --estimate-tokens, e.g. claude-sonnet-4-5',
  },
  {
    name: 'from-history',
    type: 'string',
    value: 'AGENT',
    description:
      "claude_code (or claude) or codex: estimate from this agent's past runs of the class on this machine (then the endpoint's usage history)",
  },
  SESSIONS,
  CLAUDE_DIR,
  CODEX_DIR,
  PRICES,
];

const WORKFLOW_VALUE = 'CLASS';

const PREFLIGHT_EXITS = [
  { code: '0', meaning: 'allow' },
  { code: '10', meaning: 'warn' },
  { code: '11', meaning: 'needs approval (a request was filed when the endpoint can)' },
  { code: '12', meaning: 'deny' },
  { code: '2', meaning: 'bad flag or config; 3 source unreachable; 4 invalid answer; 5 unauthorized' },
];

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: 'status',
    summary: 'your bands: used, allocated, pace, resets',
    flags: [
      { name: 'ids', type: 'boolean', description: "show each band's id (what request --band also takes)" },
      ...SOURCE_FLAG_SPECS,
      CLAUDE_DIR,
      CODEX_DIR,
      SESSIONS,
      PRICES,
    ],
    details: [
      'With --json: the BandsDocument of Bands API v1 plus source, stale and fetched_at. When the source fails, the last good bands are printed, marked stale, and the exit code says what failed.',
    ],
    examples: [
      'spend-band status',
      'SPEND_BAND_TOKEN=… spend-band status --endpoint https://budget.example.com --json',
    ],
  },
  {
    name: 'usage',
    summary: 'your usage measured from local agent logs (Claude Code, Codex)',
    flags: [
      {
        name: 'since',
        type: 'string',
        value: 'YYYY-MM-DD',
        description: 'first day counted',
        default: 'the first day in the logs',
      },
      {
        name: 'until',
        type: 'string',
        value: 'YYYY-MM-DD',
        description: 'last day counted (inclusive)',
        default: 'the last day in the logs',
      },
      {
        name: 'by',
        type: 'string',
        choices: ['day', 'month', 'model', 'workflow', 'agent'],
        default: 'day',
        description: 'what one row is',
      },
      CLAUDE_DIR,
      CODEX_DIR,
      SESSIONS,
      CACHE_DIR,
      PRICES,
      TIMEZONE,
      CONFIG,
      { name: 'quiet', type: 'boolean', description: 'no hint on stderr when no logs are found' },
    ],
    env: [
      {
        name: 'SPEND_BAND_SCAN_THREADS',
        description:
          'N parser threads more for a large first scan (~15 MiB each); default cores − 2 (at most 3, none on two cores) when load average ≤ cores − 1.5, else 0',
      },
    ],
    examples: [
      'spend-band usage --since 2026-11-01 --by model',
      'spend-band usage --by workflow --sessions ~/.cache/spend-band/sessions.jsonl --json',
    ],
  },
  {
    name: 'preflight',
    summary: 'ask before a costly agent run (exit 0 allow, 10 warn, 11 needs approval, 12 deny)',
    flags: [
      {
        name: 'workflow',
        type: 'string',
        value: WORKFLOW_VALUE,
        description: 'the workflow class of the run, e.g. deep_coding or background_automation',
      },
      ...ESTIMATE_FLAG_SPECS,
      {
        name: 'run-id',
        type: 'string',
        value: 'UUID',
        default: 'a new one',
        description: 'ask again about the same run (the id a previous pre-flight printed)',
      },
      { name: 'description', type: 'string', value: 'TEXT', description: 'what the run is for (shown to an approver)' },
      { name: 'dry-run', type: 'boolean', description: 'only ask: reserve nothing and file no approval request' },
      ...SOURCE_FLAG_SPECS,
    ],
    details: [
      'This check RESERVES: an endpoint that answers allow or warn holds the estimate for 15 minutes (so two parallel runs cannot both spend the same headroom), and one that answers needs approval files a request. Pass --dry-run to only ask. Local bands reserve nothing.',
      'Workflow classes: light_assist, deep_coding, review, research, background_automation, or a class your bands name.',
      NO_ESTIMATE_HELP,
    ],
    examples: [
      'spend-band preflight --workflow background_automation --estimate-usd 4',
      'spend-band preflight --workflow deep_coding --from-history claude_code --json',
    ],
    exitCodes: PREFLIGHT_EXITS,
  },
  {
    name: 'hook',
    summary:
      'Claude Code hook: pre-flight before sub-agents and -p runs (hook claude), or add it to settings (hook install)',
    positionals: [
      {
        name: 'claude|install',
        description:
          'claude: the hook command (hook JSON on stdin, answer on stdout); install: add it to Claude Code settings',
        required: true,
      },
    ],
    flags: [
      {
        name: 'workflow',
        type: 'string',
        value: WORKFLOW_VALUE,
        env: 'SPEND_BAND_WORKFLOW',
        default: 'spendband.workflow in OTEL_RESOURCE_ATTRIBUTES, else background_automation',
        description: 'claude: the class the run is asked about',
      },
      {
        name: 'estimate-usd',
        type: 'string',
        value: 'N',
        default: 'the median official cost of your recent Claude Code sessions (recorded by spend-band statusline)',
        description: 'claude: the estimated cost of the run',
      },
      {
        name: 'timeout-ms',
        type: 'string',
        value: 'N',
        default: '1000',
        description:
          'claude: let the run go ahead unchecked (with a message) when the endpoint has not answered by then',
      },
      {
        name: 'non-interactive',
        type: 'boolean',
        env: 'SPEND_BAND_HOOK_NONINTERACTIVE=1',
        default: 'on when CLAUDE_CODE_ENTRYPOINT starts with sdk (claude -p)',
        description: 'claude: answer needs approval with defer, and check UserPromptSubmit',
      },
      {
        name: 'endpoint',
        type: 'string',
        value: 'URL',
        env: 'SPEND_BAND_ENDPOINT',
        description: 'claude: the Bands API endpoint (else the bands cached on this machine decide)',
      },
      {
        name: 'token-env',
        type: 'string',
        value: 'NAME',
        default: 'SPEND_BAND_TOKEN',
        description: 'claude: the environment variable that holds your token',
      },
      CACHE_DIR,
      {
        name: 'settings',
        type: 'string',
        value: 'FILE',
        default: '~/.claude/settings.json',
        description: 'install: the Claude Code settings file to add the hooks to',
      },
      { name: 'dry-run', type: 'boolean', description: 'install: print the settings it would write, write nothing' },
      {
        name: 'command',
        type: 'string',
        value: 'CMD',
        default: 'this spend-band, by absolute path',
        description: 'install: the command the hook runs',
      },
    ],
    details: [
      'hook claude always exits 0: Claude Code reads its answer from stdout (allow, ask, defer or deny), or a message alone when it could not check.',
    ],
    examples: ['spend-band hook install --dry-run', 'spend-band hook install --settings .claude/settings.local.json'],
  },
  {
    name: 'statusline',
    summary: "Claude Code statusLine: one line with your band, and the agent's official numbers recorded",
    flags: [
      {
        name: 'workflow',
        type: 'string',
        value: WORKFLOW_VALUE,
        env: 'SPEND_BAND_WORKFLOW',
        default: 'the band nearest its limit',
        description: 'the band to show',
      },
      CACHE_DIR,
    ],
    details: [
      'Reads the statusLine JSON on stdin and the bands cached by spend-band status or the extension; no network.',
    ],
    examples: ['"statusLine": { "type": "command", "command": "spend-band statusline" }'],
  },
  {
    name: 'run',
    summary: 'run a command after pre-flight; returns its exit code',
    rest: {
      name: 'COMMAND [ARGS...]',
      description: 'the command to start; its stdout and exit code are passed through',
      required: true,
    },
    flags: [
      {
        name: 'workflow',
        type: 'string',
        value: WORKFLOW_VALUE,
        default: 'background_automation',
        description: 'the workflow class of the run',
      },
      ...ESTIMATE_FLAG_SPECS,
      { name: 'yes', type: 'boolean', description: 'on warn, run without asking' },
      {
        name: 'wait-minutes',
        type: 'string',
        value: 'N',
        description: 'on needs approval, wait this long for the approver (Ctrl-C withdraws the request)',
      },
      { name: 'cwd', type: 'string', value: 'DIR', description: 'start the command in this folder' },
      {
        name: 'run-id',
        type: 'string',
        value: 'UUID',
        default: 'the waiting run of this command line, else a new one',
        description: 'ask about this run (the id a previous run or pre-flight printed)',
      },
      {
        name: 'description',
        type: 'string',
        value: 'TEXT',
        default: 'the command line',
        description: 'what the run is for (shown to an approver)',
      },
      ...SOURCE_FLAG_SPECS,
    ],
    details: [
      "Without an estimate flag, a known agent (claude, codex) is estimated from its history. Our own lines go to stderr: stdout is the command's.",
      'An endpoint that answers allow or warn reserves the estimate for 15 minutes.',
      NO_ESTIMATE_HELP,
      'When a run needs approval, the request is remembered for this command line, folder and class (in the cache folder, for a day): running the same command again asks about the same run, so once approved it starts, and no second request is filed.',
    ],
    examples: [
      'spend-band run --estimate-usd 3 -- claude -p "fix the flaky tests"',
      'spend-band run --workflow deep_coding --yes -- codex exec "port the parser"',
    ],
    exitCodes: [
      { code: "the command's", meaning: 'when it ran' },
      { code: '10/11/12', meaning: 'not started: warn without --yes, needs approval, deny' },
      { code: '127', meaning: 'COMMAND could not be started' },
    ],
  },
  {
    name: 'request',
    summary: 'request a band increase tied to an outcome',
    flags: [
      {
        name: 'band',
        type: 'string',
        value: 'CLASS|ID',
        description: 'the band to raise: its workflow class (deep_coding) or its id (spend-band status --ids)',
      },
      { name: 'delta-usd', type: 'string', value: 'N', description: 'raise the band by this many dollars' },
      { name: 'new-usd', type: 'string', value: 'N', description: 'raise the band to this many dollars' },
      {
        name: 'outcome',
        type: 'string',
        value: 'KIND',
        description: 'the outcome it buys, e.g. faster_review, shorter_lead_time',
      },
      {
        name: 'justification',
        type: 'string',
        value: 'TEXT',
        description: 'why, in a sentence or two for the approver',
      },
      {
        name: 'scope',
        type: 'string',
        value: 'current_period|next_period|until:YYYY-MM-DD',
        default: 'current_period',
        description: 'how long the increase lasts',
      },
      { name: 'metric', type: 'string', value: 'NAME', description: 'the metric that shows the outcome' },
      { name: 'baseline', type: 'string', value: 'N', description: 'the metric today' },
      { name: 'target', type: 'string', value: 'N', description: 'the metric expected' },
      { name: 'review-at', type: 'string', value: 'YYYY-MM-DD', description: 'when to check the outcome' },
      ...SOURCE_FLAG_SPECS,
    ],
    examples: [
      'spend-band request --band deep_coding --delta-usd 50 --outcome faster_review --justification "release week: reviews of 40 PRs"',
    ],
  },
  {
    name: 'requests',
    summary: 'your increase and approval requests',
    flags: [
      {
        name: 'status',
        type: 'string',
        choices: ['pending', 'approved', 'denied', 'cancelled', 'expired'],
        description: 'only requests in this state',
      },
      { name: 'limit', type: 'string', value: 'N', default: '1000', description: 'show the newest N' },
      ...SOURCE_FLAG_SPECS,
    ],
    examples: ['spend-band requests --status pending', 'spend-band requests --limit 5 --json'],
  },
  {
    name: 'report',
    summary: 'the period: per band, class, model; outliers',
    flags: [
      { name: 'period', type: 'string', value: 'YYYY-MM', default: 'this month', description: 'the month reported' },
      {
        name: 'format',
        type: 'string',
        choices: ['text', 'md', 'json', 'csv'],
        default: 'text',
        description: 'output format (--json is --format json)',
      },
      TIMEZONE,
      CLAUDE_DIR,
      CODEX_DIR,
      SESSIONS,
      PRICES,
      ...SOURCE_FLAG_SPECS,
    ],
    examples: ['spend-band report --period 2026-11 --format md > report.md'],
  },
  {
    name: 'server',
    summary: 'run the reference Bands API v1 server',
    flags: [
      {
        name: 'db',
        type: 'string',
        value: 'FILE',
        env: 'SPEND_BAND_DB',
        default: '$XDG_DATA_HOME/spend-band/server.db',
        description: 'the SQLite database file, or a postgres:// URL',
      },
      {
        name: 'database',
        type: 'string',
        value: 'URL',
        description: 'PostgreSQL to share among several server processes: postgres://USER[:PASS]@HOST[:PORT]/DB',
      },
      { name: 'host', type: 'string', value: 'HOST', default: '127.0.0.1', description: 'the address to listen on' },
      {
        name: 'port',
        type: 'string',
        value: 'N',
        env: 'SPEND_BAND_PORT',
        default: '8787',
        description: 'the port (0 picks a free one)',
      },
      {
        name: 'demo',
        type: 'boolean',
        description: 'seed a small demo team and print a token for the developer "demo"',
      },
    ],
    examples: ['spend-band server --demo --port 8787'],
  },
];

/** The database flag of every admin command. */
const DB: FlagSpec = {
  name: 'db',
  type: 'string',
  value: 'FILE',
  env: 'SPEND_BAND_DB',
  default: '$XDG_DATA_HOME/spend-band/server.db',
  description: "the reference server's database file",
};
const DEVELOPER: FlagSpec = { name: 'developer', type: 'string', value: 'ID', description: 'the developer' };
const ROLE: FlagSpec = {
  name: 'role',
  type: 'string',
  value: 'ROLE',
  description: 'the role (applies to every developer with it)',
};
const CURRENCY: FlagSpec = {
  name: 'currency',
  type: 'string',
  value: 'CODE',
  default: 'USD',
  description: 'ISO 4217 currency of the amounts',
};
const LIMIT: FlagSpec = { name: 'limit', type: 'string', value: 'N', description: 'show the first N (newest first)' };
const SCOPES: FlagSpec = {
  name: 'scopes',
  type: 'string',
  value: 'LIST',
  default: 'all',
  description: 'comma-separated scopes',
};
const TOKEN_LABEL: FlagSpec = { name: 'label', type: 'string', value: 'TEXT', description: 'a note for the token' };
const EXPIRES_IN: FlagSpec = {
  name: 'expires-in',
  type: 'string',
  value: 'P90D',
  description: 'the token stops working after this ISO 8601 duration',
};
const EXPIRES_AT: FlagSpec = {
  name: 'expires-at',
  type: 'string',
  value: 'ISO',
  description: 'the token stops working at this time, e.g. 2027-03-01T00:00:00Z',
};
const STATUS_CHOICES = ['pending', 'approved', 'denied', 'cancelled', 'expired'];

/** `spend-band admin NOUN VERB`: the reference server's database, administered directly. */
export const ADMIN_SPECS: readonly CommandSpec[] = [
  {
    name: 'admin developer add',
    summary: 'add or update a developer',
    flags: [
      { name: 'id', type: 'string', value: 'ID', description: 'the developer id' },
      { name: 'name', type: 'string', value: 'NAME', description: 'display name' },
      { name: 'email', type: 'string', value: 'EMAIL', description: 'email address' },
      ROLE,
      {
        name: 'team',
        type: 'string',
        value: 'TEAM',
        default: 'default',
        description: 'the team whose review the developer is in',
      },
      DB,
    ],
    examples: ['spend-band admin developer add --id ana --name "Ana Lima" --role platform_engineer'],
  },
  { name: 'admin developer list', summary: 'the developers and their live tokens', flags: [LIMIT, DB] },
  {
    name: 'admin token issue',
    summary: 'issue a token for a developer; prints it alone on stdout, once',
    flags: [DEVELOPER, SCOPES, TOKEN_LABEL, EXPIRES_IN, EXPIRES_AT, DB],
  },
  {
    name: 'admin token rotate',
    summary: "issue a new token (printed once); the developer's other tokens stop now, or after --grace",
    flags: [
      DEVELOPER,
      {
        name: 'grace',
        type: 'string',
        value: 'PT1H',
        default: 'PT0S',
        description: 'how long the old tokens keep working',
      },
      SCOPES,
      TOKEN_LABEL,
      EXPIRES_IN,
      EXPIRES_AT,
      DB,
    ],
  },
  { name: 'admin token revoke', summary: 'revoke every token of a developer', flags: [DEVELOPER, DB] },
  {
    name: 'admin seat set',
    summary: 'the seat baseline of a role',
    flags: [
      ROLE,
      { name: 'vendor', type: 'string', value: 'V', description: 'e.g. github' },
      { name: 'product', type: 'string', value: 'P', description: 'e.g. copilot_business' },
      { name: 'monthly-usd', type: 'string', value: 'N', description: 'cost per month' },
      { name: 'plan', type: 'string', value: 'PLAN', description: 'plan name' },
      CURRENCY,
      DB,
    ],
  },
  {
    name: 'admin band set',
    summary: 'set the band of a developer or role for a workflow class',
    flags: [
      DEVELOPER,
      ROLE,
      { name: 'workflow', type: 'string', value: WORKFLOW_VALUE, description: 'the workflow class (all: every class)' },
      { name: 'allocated-usd', type: 'string', value: 'N', description: 'the allocation per period' },
      { name: 'period', type: 'string', choices: ['P1M', 'P1W', 'P1D'], default: 'P1M', description: 'the period' },
      {
        name: 'enforcement',
        type: 'string',
        choices: ['none', 'soft', 'hard'],
        default: 'soft',
        description: 'what happens past the allocation',
      },
      {
        name: 'thresholds',
        type: 'string',
        value: '80,100',
        default: '80,100',
        description: 'percents that raise alerts',
      },
      { name: 'timezone', type: 'string', value: 'ZONE', default: 'UTC', description: 'where periods start' },
      { name: 'label', type: 'string', value: 'TEXT', description: 'a name for the band' },
      CURRENCY,
      DB,
    ],
  },
  { name: 'admin band list', summary: "a developer's bands as the API shows them now", flags: [DEVELOPER, DB] },
  {
    name: 'admin rule add',
    summary: 'add an escalation rule (checked in order; the first match decides)',
    flags: [
      DEVELOPER,
      ROLE,
      {
        name: 'workflow',
        type: 'string',
        value: 'CLASS[,CLASS]',
        description: 'classes it applies to (all: every class)',
      },
      {
        name: 'action',
        type: 'string',
        choices: ['warn', 'needs_approval', 'deny'],
        description: 'what the rule decides',
      },
      {
        name: 'estimate-at-least-usd',
        type: 'string',
        value: 'N',
        description: 'matches runs estimated at this or more',
      },
      {
        name: 'remaining-percent-after-below',
        type: 'string',
        value: 'N',
        description: 'matches when less than N % would be left',
      },
      {
        name: 'max-duration-above',
        type: 'string',
        value: 'PT1H',
        description: 'matches runs allowed longer than this',
      },
      { name: 'max-iterations-above', type: 'string', value: 'N', description: 'matches runs allowed more iterations' },
      { name: 'approver-role', type: 'string', value: 'ROLE', description: 'who approves' },
      { name: 'message', type: 'string', value: 'TEXT', description: 'shown to the developer' },
      { name: 'id', type: 'string', value: 'ID', description: 'the rule id (default: generated)' },
      CURRENCY,
      DB,
    ],
  },
  {
    name: 'admin policy set',
    summary: 'per-run limits of a developer or role',
    flags: [
      DEVELOPER,
      ROLE,
      { name: 'per-run-cap-usd', type: 'string', value: 'N', description: 'largest estimate a run may have' },
      { name: 'max-duration', type: 'string', value: 'PT2H', description: 'longest a run may last' },
      { name: 'max-iterations', type: 'string', value: 'N', description: 'most iterations a run may make' },
      CURRENCY,
      DB,
    ],
  },
  {
    name: 'admin usage import',
    summary: 'import usage events',
    positionals: [
      {
        name: 'FILE',
        required: true,
        description: 'JSON lines or CSV: developer,time,provider,model,tokens,cost[,workflow]',
      },
    ],
    flags: [DB],
  },
  {
    name: 'admin tag list',
    summary: "the session tags the developers' editors sent, newest first",
    flags: [DEVELOPER, LIMIT, DB],
  },
  {
    name: 'admin request list',
    summary: 'increase and approval requests of every developer',
    flags: [
      { name: 'status', type: 'string', choices: STATUS_CHOICES, description: 'only requests in this state' },
      DEVELOPER,
      LIMIT,
      DB,
    ],
  },
  {
    name: 'admin request approve',
    summary: 'approve a request',
    positionals: [
      {
        name: 'ID',
        required: true,
        description: 'the request id; list pending ones with spend-band admin request list --status pending',
      },
    ],
    flags: [
      {
        name: 'amount-usd',
        type: 'string',
        value: 'N',
        default: 'the amount asked',
        description: 'approve this much instead',
      },
      { name: 'until', type: 'string', value: 'YYYY-MM-DD', description: 'the increase lasts until this day' },
      { name: 'note', type: 'string', value: 'TEXT', description: 'shown to the developer' },
      { name: 'by', type: 'string', value: 'NAME', default: '$USER', description: 'who decided' },
      DB,
    ],
  },
  {
    name: 'admin request outcome',
    summary: 'record what an approved band increase achieved (the team review shows it beside the promise)',
    positionals: [{ name: 'ID', required: true, description: 'the request id' }],
    flags: [
      { name: 'result', type: 'string', value: 'TEXT', description: 'the result, e.g. "lead time 4 d → 2.5 d"' },
      DB,
    ],
    examples: ['spend-band admin request outcome req_abc --result "lead time 4 d → 2.5 d"'],
  },
  {
    name: 'admin review',
    summary:
      "a team's review: seats + usage per developer and role against the baseline, idle seats, classes vs bands and their drift, outliers within role and class, increase requests",
    flags: [
      {
        name: 'period',
        type: 'string',
        choices: ['week', 'month'],
        default: 'month',
        description: 'review a week or a month',
      },
      { name: 'team', type: 'string', value: 'TEAM', default: 'default', description: 'the team' },
      {
        name: 'date',
        type: 'string',
        value: 'YYYY-MM-DD',
        default: 'the last complete period',
        description: 'a day inside the period to review',
      },
      {
        name: 'format',
        type: 'string',
        choices: ['md', 'csv', 'json', 'html'],
        default: 'md',
        description: 'Markdown, CSV, JSON, or a static HTML page (themed, printable, SVG charts)',
      },
      DB,
    ],
    examples: [
      'spend-band admin review --period month --team platform',
      'spend-band admin review --period week --format html > review.html',
    ],
  },
  {
    name: 'admin request deny',
    summary: 'deny a request',
    positionals: [{ name: 'ID', required: true, description: 'the request id' }],
    flags: [
      { name: 'note', type: 'string', value: 'TEXT', description: 'shown to the developer' },
      { name: 'by', type: 'string', value: 'NAME', default: '$USER', description: 'who decided' },
      DB,
    ],
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMAND_SPECS.find((c) => c.name === name);
}

// `spend-band admin …`: administer the reference server's database file directly. Admin actions are
// deliberately not reachable over HTTP: whoever can run these can read and write the file anyway. This
// face parses and prints; the actions run in dist/server.js (loaded at run time; domain/serverAdmin.ts).
import { readFile } from 'node:fs/promises';
import { EXIT } from '../domain/exitCodes';
import { decimalToMicros, formatMoney } from '../domain/money';
import { isoDurationMs } from '../domain/duration';
import type { EscalationRule, Money } from '../domain/schemas';
import { teamReviewHtml } from '../domain/teamReviewHtml';
import { teamReviewCsv, teamReviewMarkdown } from '../domain/teamReviewText';
import { ADMIN_INPUT_ERROR, type Scoped, type ServerAdmin, type ServerModule } from '../domain/serverAdmin';
import { flag, requireFlag, assertKnownFlags, hasFlag, type ParsedArgs } from './args';
import { printJson, type CliContext, type Command } from './cliContext';
import { CliError } from './cliError';
import { limitOf, localTime, moneyText, painter, renderTable } from './output';
import { loadServerModule } from './serverCommand';

function usageText(scopes: readonly string[]): string {
  return `spend-band admin — administer the reference server database (--db FILE or SPEND_BAND_DB)

  developer add --id ID [--name NAME] [--email EMAIL] [--role ROLE]
  developer list [--json]
  token issue --developer ID [--scopes ${scopes.join(',')}] [--expires-in P90D | --expires-at ISO]
                                                  prints the token alone, once
  token rotate --developer ID [--grace PT1H] [--expires-in P90D | --expires-at ISO] [--scopes S]
                                                  a new token (printed once); the others stop now, or after --grace
  token revoke --developer ID                     revokes every token of the developer
  seat set --role ROLE --vendor V --product P --monthly-usd N [--plan PLAN] [--currency USD]
  band set (--developer ID | --role ROLE) --workflow CLASS --allocated-usd N [--period P1M|P1W|P1D]
           [--enforcement none|soft|hard] [--thresholds 80,100] [--timezone UTC] [--label TEXT] [--currency USD]
  band list --developer ID [--json]               the developer's bands as the API shows them now
  rule add (--developer ID | --role ROLE) --workflow CLASS --action warn|needs_approval|deny
           [--estimate-at-least-usd N] [--remaining-percent-after-below N] [--max-duration-above PT1H]
           [--max-iterations-above N] [--approver-role ROLE] [--message TEXT] [--id ID]
  policy set (--developer ID | --role ROLE) [--per-run-cap-usd N] [--max-duration PT2H] [--max-iterations N]
  usage import FILE                               JSON lines or CSV: developer,time,provider,model,tokens,cost[,workflow]
  tag list [--developer ID] [--json]             the session tags the developers' editors sent
  request list [--status S] [--developer ID] [--json]
  request approve ID [--amount-usd N] [--until YYYY-MM-DD] [--note TEXT] [--by NAME]
  request deny ID [--note TEXT] [--by NAME]
  request outcome ID --result TEXT                what an approved increase achieved (shown in the review)
  review --period week|month [--team T] [--date YYYY-MM-DD] [--format md|csv|json|html]
                                                  seats + usage per developer and role, idle seats, classes
                                                  vs bands and drift, outliers, increase requests
`;
}

type AdminAction = (ctx: CliContext, admin: ServerAdmin) => Promise<number>;

/** exported for the test that holds it against the flag tables of commandSpecs.ts */
export const ACTIONS: Record<string, { flags: readonly string[]; run: AdminAction }> = {
  'developer add': { flags: ['id', 'name', 'email', 'role', 'team'], run: developerAdd },
  review: { flags: ['period', 'team', 'format', 'date'], run: review },
  'request outcome': { flags: ['result'], run: requestOutcome },
  'developer list': { flags: ['limit'], run: developerList },
  'token issue': { flags: ['developer', 'scopes', 'label', 'expires-in', 'expires-at'], run: tokenIssue },
  'token rotate': { flags: ['developer', 'scopes', 'label', 'expires-in', 'expires-at', 'grace'], run: tokenRotate },
  'token revoke': { flags: ['developer'], run: tokenRevoke },
  'seat set': { flags: ['role', 'vendor', 'product', 'monthly-usd', 'plan', 'currency'], run: seatSet },
  'band set': {
    flags: [
      'developer',
      'role',
      'workflow',
      'allocated-usd',
      'period',
      'enforcement',
      'thresholds',
      'timezone',
      'label',
      'currency',
    ],
    run: bandSet,
  },
  'band list': { flags: ['developer'], run: bandList },
  'rule add': {
    flags: [
      'developer',
      'role',
      'workflow',
      'action',
      'estimate-at-least-usd',
      'remaining-percent-after-below',
      'max-duration-above',
      'max-iterations-above',
      'approver-role',
      'message',
      'id',
      'currency',
    ],
    run: ruleAdd,
  },
  'policy set': {
    flags: ['developer', 'role', 'per-run-cap-usd', 'max-duration', 'max-iterations', 'currency'],
    run: policySet,
  },
  'usage import': { flags: [], run: usageImport },
  'tag list': { flags: ['developer', 'limit'], run: tagList },
  'request list': { flags: ['status', 'developer', 'limit'], run: requestList },
  'request approve': {
    flags: ['amount-usd', 'until', 'note', 'by'],
    run: (ctx, admin) => requestResolve(ctx, admin, true),
  },
  'request deny': { flags: ['note', 'by'], run: (ctx, admin) => requestResolve(ctx, admin, false) },
};

/** `spend-band admin`, with the server bundle given (tests pass the module they import). */
export async function runAdminCommand(ctx: CliContext, server: ServerModule): Promise<number> {
  const [noun, verb] = ctx.args.positionals;
  if (!noun || hasFlag(ctx.args, 'help')) {
    ctx.stdout.write(usageText(server.tokenScopes));
    return noun || hasFlag(ctx.args, 'help') ? EXIT.ok : EXIT.usage;
  }
  const action = ACTIONS[`${noun} ${verb ?? ''}`.trim()];
  if (!action)
    throw new CliError(
      `unknown admin command "${[noun, verb].filter(Boolean).join(' ')}". Run spend-band admin --help for the list.`,
      EXIT.usage,
    );
  assertKnownFlags(ctx.args, [...action.flags, 'db']);
  let admin: ServerAdmin;
  try {
    admin = await server.openAdmin(flag(ctx.args, 'db'), ctx.env);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  try {
    return await action.run(ctx, admin);
  } catch (error) {
    if ((error as Error | null)?.name === ADMIN_INPUT_ERROR) throw new CliError((error as Error).message, EXIT.usage);
    throw error;
  } finally {
    await admin.close();
  }
}

export const adminCommand: Command = (ctx: CliContext) => runAdminCommand(ctx, loadServerModule());

/** What a change did: the sentence for a person, or with --json the same facts as one JSON document. */
function done(ctx: CliContext, sentence: string, facts: Record<string, unknown>): number {
  if (hasFlag(ctx.args, 'json')) printJson(ctx, facts);
  else ctx.stdout.write(`${sentence}\n`);
  return EXIT.ok;
}

function usd(args: ParsedArgs, name: string): number | undefined {
  const text = flag(args, name);
  if (text === undefined) return undefined;
  try {
    const micros = decimalToMicros(text);
    if (micros < 0) throw new RangeError('negative');
    return micros;
  } catch {
    throw new CliError(`--${name} ${text}: expected an amount such as 19 or 12.50.`, EXIT.usage);
  }
}

function wholeNumber(args: ParsedArgs, name: string): number | undefined {
  const text = flag(args, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new CliError(`--${name} ${text}: expected a whole number.`, EXIT.usage);
  return Number(text);
}

function scopeOf(args: ParsedArgs): Scoped {
  const developerId = flag(args, 'developer');
  const roleId = flag(args, 'role');
  if ((developerId === undefined) === (roleId === undefined))
    throw new CliError('give exactly one of --developer ID or --role ROLE.', EXIT.usage);
  return developerId !== undefined ? { developerId } : { roleId: roleId! };
}

function currencyOf(args: ParsedArgs): string {
  return flag(args, 'currency') ?? 'USD';
}

async function developerAdd(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const id = requireFlag(ctx.args, 'id');
  const isNew = await admin.addDeveloper(
    {
      id,
      name: flag(ctx.args, 'name'),
      email: flag(ctx.args, 'email'),
      role: flag(ctx.args, 'role'),
      team: flag(ctx.args, 'team'),
    },
    ctx.now().getTime(),
  );
  return done(
    ctx,
    `${isNew ? 'added' : 'updated'} developer ${id}. Issue a token with: spend-band admin token issue --developer ${id}`,
    { developer: id, created: isNew },
  );
}

async function developerList(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const limit = limitOf(flag(ctx.args, 'limit'));
  const rows = (await admin.listDevelopers()).slice(0, limit);
  if (hasFlag(ctx.args, 'json')) printJson(ctx, { data: rows });
  else if (rows.length === 0)
    ctx.stdout.write('No developers yet. Add one with: spend-band admin developer add --id ID --role ROLE\n');
  else {
    ctx.stdout.write(
      renderTable(
        rows,
        [
          { header: 'ID', value: (r) => r.id },
          { header: 'Role', value: (r) => r.role_id },
          { header: 'Live tokens', value: (r) => String(r.live_tokens), align: 'right' },
          { header: 'Name', value: (r) => r.display_name ?? '' },
        ],
        painter(ctx.stdout, ctx.env),
      ),
    );
  }
  return EXIT.ok;
}

/** --expires-in P90D (ISO 8601 duration) or --expires-at 2027-03-01T00:00:00Z; null = never. */
function expiryFlag(args: ParsedArgs, nowMs: number): number | null {
  const inText = flag(args, 'expires-in');
  const atText = flag(args, 'expires-at');
  if (inText !== undefined && atText !== undefined)
    throw new CliError('give --expires-in or --expires-at, not both.', EXIT.usage);
  if (inText !== undefined) {
    const ms = isoDurationMs(inText);
    if (ms === undefined || ms <= 0)
      throw new CliError(`--expires-in ${inText}: expected an ISO 8601 duration such as P90D or PT12H.`, EXIT.usage);
    return nowMs + ms;
  }
  if (atText !== undefined) {
    const at = Date.parse(atText);
    if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(atText))
      throw new CliError(`--expires-at ${atText}: expected a date-time such as 2027-03-01T00:00:00Z.`, EXIT.usage);
    if (at <= nowMs) throw new CliError(`--expires-at ${atText} is not in the future.`, EXIT.usage);
    return at;
  }
  return null;
}

function expiryText(expiresMs: number | null): string {
  return expiresMs === null ? 'it does not expire' : `it expires at ${new Date(expiresMs).toISOString()}`;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

async function tokenIssue(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const developerId = requireFlag(ctx.args, 'developer');
  const nowMs = ctx.now().getTime();
  const expiresMs = expiryFlag(ctx.args, nowMs);
  const token = await admin.issueToken(
    developerId,
    nowMs,
    flag(ctx.args, 'scopes'),
    flag(ctx.args, 'label'),
    expiresMs,
  );
  // The token alone on stdout (scripts capture it); the advice on stderr.
  if (hasFlag(ctx.args, 'json')) printJson(ctx, { token, developer: developerId, expires_at: isoOrNull(expiresMs) });
  else ctx.stdout.write(`${token}\n`);
  ctx.stderr.write(
    `spend-band: token for ${developerId} issued (${expiryText(expiresMs)}); it is shown only now. Store it in a secret store (the extension asks for it).\n`,
  );
  return EXIT.ok;
}

async function tokenRotate(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const developerId = requireFlag(ctx.args, 'developer');
  const nowMs = ctx.now().getTime();
  const expiresMs = expiryFlag(ctx.args, nowMs);
  const graceText = flag(ctx.args, 'grace');
  const graceMs = graceText === undefined ? 0 : isoDurationMs(graceText);
  if (graceMs === undefined || graceMs < 0)
    throw new CliError(`--grace ${graceText}: expected an ISO 8601 duration such as PT1H.`, EXIT.usage);
  const rotation = await admin.rotateTokens(developerId, nowMs, {
    graceMs,
    expiresMs,
    scopes: flag(ctx.args, 'scopes'),
    label: flag(ctx.args, 'label'),
  });
  const until = graceMs > 0 ? `stop working at ${new Date(rotation.retiredAtMs).toISOString()}` : 'were revoked';
  if (hasFlag(ctx.args, 'json')) {
    printJson(ctx, {
      token: rotation.token,
      developer: developerId,
      scopes: rotation.scopes,
      expires_at: isoOrNull(expiresMs),
      retired: rotation.retired,
      retired_at: new Date(rotation.retiredAtMs).toISOString(),
    });
  } else ctx.stdout.write(`${rotation.token}\n`);
  ctx.stderr.write(
    `spend-band: new token for ${developerId} (${expiryText(expiresMs)}); its ${rotation.retired} earlier token(s) ${until}. Give the new one to the developer (Spend Band: Connect Endpoint…).\n`,
  );
  return EXIT.ok;
}

async function tokenRevoke(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const developerId = requireFlag(ctx.args, 'developer');
  const count = await admin.revokeTokens(developerId, ctx.now().getTime());
  return done(
    ctx,
    `revoked ${count} token(s) of ${developerId}. A running server refuses them from its next request.`,
    { developer: developerId, revoked: count },
  );
}

async function seatSet(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const role = requireFlag(ctx.args, 'role');
  requireFlag(ctx.args, 'monthly-usd');
  const id = await admin.setSeat({
    role,
    vendor: requireFlag(ctx.args, 'vendor'),
    product: requireFlag(ctx.args, 'product'),
    plan: flag(ctx.args, 'plan'),
    currency: currencyOf(ctx.args),
    costMicros: usd(ctx.args, 'monthly-usd')!,
  });
  return done(ctx, `seat ${id} set.`, { seat: id });
}

async function bandSet(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const scope = scopeOf(ctx.args);
  requireFlag(ctx.args, 'allocated-usd');
  const thresholdsText = flag(ctx.args, 'thresholds');
  const thresholds = thresholdsText === undefined ? [80, 100] : thresholdsText.split(',').map((t) => Number(t.trim()));
  if (thresholds.some((t) => !Number.isInteger(t)))
    throw new CliError(`--thresholds ${thresholdsText}: expected whole percents such as 80,100.`, EXIT.usage);
  const id = await admin.setBand({
    scope,
    workflow: requireFlag(ctx.args, 'workflow'),
    label: flag(ctx.args, 'label'),
    interval: flag(ctx.args, 'period') ?? 'P1M',
    timezone: flag(ctx.args, 'timezone') ?? 'UTC',
    currency: currencyOf(ctx.args),
    allocatedMicros: usd(ctx.args, 'allocated-usd')!,
    enforcement: flag(ctx.args, 'enforcement') ?? 'soft',
    thresholds,
  });
  return done(ctx, `band ${id} set.`, { band: id });
}

async function bandList(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const developerId = requireFlag(ctx.args, 'developer');
  const document = await admin.bandsDocument(developerId, ctx.now());
  if (!document)
    throw new CliError(
      `there is no developer "${developerId}". List them with: spend-band admin developer list`,
      EXIT.usage,
    );
  if (hasFlag(ctx.args, 'json')) {
    printJson(ctx, document);
    return EXIT.ok;
  }
  if (document.bands.length === 0)
    ctx.stdout.write(
      `${developerId} has no bands. Set one with: spend-band admin band set --developer ${developerId} …\n`,
    );
  else {
    const now = ctx.now();
    ctx.stdout.write(
      renderTable(
        document.bands,
        [
          { header: 'ID', value: (b) => b.id },
          { header: 'Class', value: (b) => b.workflow },
          { header: 'Status', value: (b) => b.status },
          { header: 'Used', value: (b) => moneyText(b.used), align: 'right' },
          { header: 'Allocated', value: (b) => moneyText(b.allocated), align: 'right' },
          {
            header: 'Reserved',
            value: (b) => moneyText(b.reserved ?? { currency: b.used.currency, amount_micros: 0 }),
            align: 'right',
          },
          { header: 'Remaining', value: (b) => moneyText(b.remaining), align: 'right' },
          {
            header: 'Period',
            value: (b) =>
              `${b.period.interval} to ${localTime(b.period.end, now, b.period.timezone)} (${b.period.timezone})`,
          },
        ],
        painter(ctx.stdout, ctx.env),
      ),
    );
  }
  return EXIT.ok;
}

async function ruleAdd(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const scope = scopeOf(ctx.args);
  const currency = currencyOf(ctx.args);
  const when: NonNullable<EscalationRule['when']> = {};
  const atLeast = usd(ctx.args, 'estimate-at-least-usd');
  if (atLeast !== undefined) when.estimate_at_least = { currency, amount_micros: atLeast };
  const below = wholeNumber(ctx.args, 'remaining-percent-after-below');
  if (below !== undefined) {
    if (below > 100) throw new CliError('--remaining-percent-after-below must be 0 to 100.', EXIT.usage);
    when.remaining_percent_after_below = below;
  }
  const duration = flag(ctx.args, 'max-duration-above');
  if (duration !== undefined) {
    if (isoDurationMs(duration) === undefined)
      throw new CliError(`--max-duration-above ${duration}: expected an ISO 8601 duration such as PT1H.`, EXIT.usage);
    when.max_duration_above = duration;
  }
  const iterations = wholeNumber(ctx.args, 'max-iterations-above');
  if (iterations !== undefined) when.max_iterations_above = iterations;
  const workflow = requireFlag(ctx.args, 'workflow');
  const id = await admin.addRule({
    scope,
    id: flag(ctx.args, 'id'),
    appliesTo: workflow === 'all' ? [] : workflow.split(',').map((w) => w.trim()),
    when,
    action: requireFlag(ctx.args, 'action'),
    approverRole: flag(ctx.args, 'approver-role'),
    message: flag(ctx.args, 'message'),
  });
  return done(ctx, `rule ${id} added (rules are checked in order; the first match decides).`, { rule: id });
}

async function policySet(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const duration = flag(ctx.args, 'max-duration');
  if (duration !== undefined && isoDurationMs(duration) === undefined)
    throw new CliError(`--max-duration ${duration}: expected an ISO 8601 duration such as PT2H.`, EXIT.usage);
  const scope = scopeOf(ctx.args);
  await admin.setPolicy({
    scope,
    currency: currencyOf(ctx.args),
    perRunCapMicros: usd(ctx.args, 'per-run-cap-usd'),
    maxDuration: duration,
    maxIterations: wholeNumber(ctx.args, 'max-iterations'),
  });
  return done(ctx, 'policy set.', {
    policy: 'set',
    ...('developerId' in scope ? { developer: scope.developerId } : { role: scope.roleId }),
  });
}

async function usageImport(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const file = ctx.args.positionals[2];
  if (!file)
    throw new CliError(
      'usage import needs a FILE (JSON lines or CSV). Run spend-band admin --help for the columns.',
      EXIT.usage,
    );
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`,
      EXIT.usage,
    );
  }
  const result = await admin.importUsage(text, file);
  if (result.errors) {
    for (const line of result.errors.slice(1, 20)) ctx.stderr.write(`  ${file}: ${line}\n`);
    throw new CliError(
      `${file}: ${result.errors[0]}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more above)` : ''}. Nothing was imported; fix the file and run again.`,
      EXIT.usage,
    );
  }
  if (hasFlag(ctx.args, 'json')) printJson(ctx, { file, imported: result.inserted, duplicates: result.duplicates });
  else
    ctx.stdout.write(
      `imported ${result.inserted} usage event(s) from ${file}${result.duplicates > 0 ? ` (${result.duplicates} already present, skipped)` : ''}.\n`,
    );
  return EXIT.ok;
}

/** The session tags the editors sent, newest first (what the server attributes usage by). */
async function tagList(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const developer = flag(ctx.args, 'developer');
  const limit = limitOf(flag(ctx.args, 'limit'));
  const data = (await admin.listSessionTags(developer)).slice(0, limit);
  if (hasFlag(ctx.args, 'json')) {
    printJson(ctx, data);
    return EXIT.ok;
  }
  if (data.length === 0) ctx.stdout.write('No session tags.\n');
  else {
    const now = ctx.now();
    ctx.stdout.write(
      renderTable(
        data,
        [
          { header: 'ID', value: (t) => t.id },
          { header: 'Developer', value: (t) => t.developer_id },
          { header: 'Class', value: (t) => t.workflow },
          { header: 'Started', value: (t) => localTime(t.started_at, now) },
          { header: 'Ended', value: (t) => (t.ended_at ? localTime(t.ended_at, now) : 'open') },
        ],
        painter(ctx.stdout, ctx.env),
      ),
    );
  }
  return EXIT.ok;
}

async function requestList(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const status = flag(ctx.args, 'status');
  if (status !== undefined && !['pending', 'approved', 'denied', 'cancelled', 'expired'].includes(status)) {
    throw new CliError(`--status ${status}: use pending, approved, denied, cancelled or expired.`, EXIT.usage);
  }
  const developer = flag(ctx.args, 'developer');
  const limit = limitOf(flag(ctx.args, 'limit'));
  const data = (await admin.listRequests({ status, developerId: developer }, ctx.now().getTime())).slice(0, limit);
  if (hasFlag(ctx.args, 'json')) {
    printJson(ctx, { data });
    return EXIT.ok;
  }
  if (data.length === 0) {
    ctx.stdout.write(`No ${status ?? ''} requests.\n`.replace('  ', ' '));
    return EXIT.ok;
  }
  const amount = (r: (typeof data)[number]) => {
    const requested = r.requested as { delta?: Money; new_allocated?: Money } | undefined;
    if (requested?.delta) return `+${moneyText(requested.delta)}`;
    if (requested?.new_allocated) return `→ ${moneyText(requested.new_allocated)}`;
    return r.preflight ? `run ~${moneyText(r.preflight.estimate.cost)}` : '';
  };
  const now = ctx.now();
  ctx.stdout.write(
    renderTable(
      data,
      [
        { header: 'ID', value: (r) => r.id },
        { header: 'Status', value: (r) => r.status },
        { header: 'Kind', value: (r) => (r.kind === 'run_approval' ? 'run approval' : 'band increase') },
        { header: 'Developer', value: (r) => r.developer_id },
        { header: 'Band', value: (r) => r.band_id ?? '' },
        { header: 'Amount', value: amount, align: 'right' },
        { header: 'Filed', value: (r) => localTime(r.created_at, now) },
      ],
      painter(ctx.stdout, ctx.env),
    ),
  );
  return EXIT.ok;
}

async function requestResolve(ctx: CliContext, admin: ServerAdmin, approve: boolean): Promise<number> {
  const id = ctx.args.positionals[2];
  if (!id)
    throw new CliError(
      `request ${approve ? 'approve' : 'deny'} needs the request ID. List pending ones with: spend-band admin request list --status pending`,
      EXIT.usage,
    );
  const note = flag(ctx.args, 'note');
  if (note !== undefined && note.length > 1000)
    throw new CliError('--note is longer than 1000 characters.', EXIT.usage);
  const by = flag(ctx.args, 'by') ?? ctx.env.USER ?? 'admin';
  const row = await admin.resolveRequest(id, {
    approve,
    amountMicros: approve ? usd(ctx.args, 'amount-usd') : undefined,
    untilDate: approve ? flag(ctx.args, 'until') : undefined,
    note,
    decidedBy: { id: by.slice(0, 100) },
    now: ctx.now(),
  });
  const resolution = row.resolution as { approved?: Money; effective_until?: string | null } | null;
  if (hasFlag(ctx.args, 'json')) printJson(ctx, row);
  else if (approve && row.kind === 'band_increase') {
    ctx.stdout.write(
      `approved ${row.id}: +${formatMoney(resolution!.approved!)} on ${row.band_id} of ${row.developer_id} until ${resolution!.effective_until}.\n`,
    );
  } else ctx.stdout.write(`${approve ? 'approved' : 'denied'} ${row.id} (${row.kind} of ${row.developer_id}).\n`);
  return EXIT.ok;
}

/** `admin review`: the team review, Markdown by default (a face over domain/teamReview.ts). */
async function review(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const period = flag(ctx.args, 'period') ?? 'month';
  if (period !== 'week' && period !== 'month') throw new CliError(`--period ${period}: use week or month.`, EXIT.usage);
  const format = flag(ctx.args, 'format') ?? (hasFlag(ctx.args, 'json') ? 'json' : 'md');
  if (!['md', 'csv', 'json', 'html'].includes(format))
    throw new CliError(`--format ${format}: use md, csv, json or html.`, EXIT.usage);
  const result = await admin.review({
    team: flag(ctx.args, 'team') ?? 'default',
    period,
    date: flag(ctx.args, 'date'),
    now: ctx.now(),
  });
  if (format === 'json') printJson(ctx, result);
  else if (format === 'csv') ctx.stdout.write(teamReviewCsv(result));
  else if (format === 'html') ctx.stdout.write(teamReviewHtml(result));
  else ctx.stdout.write(teamReviewMarkdown(result));
  if (result.developers.length === 0)
    ctx.stderr.write(
      `spend-band: team ${result.team} has no developers; add them with: spend-band admin developer add --id ID --team ${result.team}\n`,
    );
  return EXIT.ok;
}

async function requestOutcome(ctx: CliContext, admin: ServerAdmin): Promise<number> {
  const id = ctx.args.positionals[2];
  if (!id)
    throw new CliError(
      'request outcome needs the request ID. List approved ones with: spend-band admin request list --status approved',
      EXIT.usage,
    );
  const result = requireFlag(ctx.args, 'result');
  await admin.recordOutcome(id, result, ctx.now().getTime());
  return done(ctx, `recorded the result of ${id}; it shows in the team review.`, { request: id, result });
}

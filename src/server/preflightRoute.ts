// POST /v1/me/preflight: the shared pure verdict (domain/preflightVerdict.ts) over the developer's
// band and escalation policy, plus what only a server can add:
// - allow / warn hold the estimate as a reservation for RESERVATION_TTL_MS (it counts in `reserved`);
// - needs_approval files a `run_approval` request; its id is in `approval.request_id`;
// - the same client_run_id always gets the same decision (a different body for it is a 422), except
//   that a needs_approval decision follows its request: once approved, asking again returns `allow`
//   with a reservation; once denied, cancelled or expired, `deny`. Clients poll the request (ETag)
//   and then ask again with the same client_run_id.
// - `?dry_run=true` (a reference-server extension, capability `preflight_dry_run`, see the README):
//   the same verdict, but nothing is held, filed or remembered (no reservation, no request, and the
//   client_run_id stays unused).
import { randomBytes } from 'node:crypto';
import { bandForWorkflow } from '../domain/bandLookup';
import { formatMoney } from '../domain/money';
import { preflightVerdict } from '../domain/preflightVerdict';
import { PreflightRequestSchema, type Band, type PreflightDecision, type PreflightRequest } from '../domain/schemas';
import { canonicalJson, parseJsonBody, readBody } from './httpBody';
import { bodyHash } from './idempotency';
import { ProblemError, validationProblem } from './problem';
import { expireIfDue, insertRequest, loadRequest, RUN_APPROVAL_TTL_MS } from './requestStore';
import { jsonReply, SMALL_BODY_CAP_BYTES, type Call, type Reply } from './routeContext';

export const RESERVATION_TTL_MS = 15 * 60_000;

interface PreflightRow {
  body_hash: string;
  decision: string;
  request_id: string | null;
  settled: number;
}

export async function postPreflight(call: Call): Promise<Reply> {
  const { ctx, principal } = call;
  const raw = parseJsonBody(await readBody(call.req, SMALL_BODY_CAP_BYTES));
  const parsed = PreflightRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationProblem('The pre-flight request', parsed.error.issues);
  const input = parsed.data;
  // A cost is never negative: a negative estimate would be reserved and raise `remaining` (#20
  // finding 5). Zero stays legal: it is what clients send when they have no estimate.
  const negative = [
    ['/estimate/cost/amount_micros', input.estimate.cost.amount_micros],
    ['/limits/max_cost/amount_micros', input.limits?.max_cost?.amount_micros ?? 0],
    ['/estimate/tokens/input', input.estimate.tokens?.input ?? 0],
    ['/estimate/tokens/output', input.estimate.tokens?.output ?? 0],
    ['/limits/max_iterations', input.limits?.max_iterations ?? 0],
  ].filter(([, value]) => (value as number) < 0);
  if (negative.length > 0) {
    throw new ProblemError(
      422,
      'validation_failed',
      `${String(negative[0]![0])} is negative; an estimate or a limit is a cost or a count, zero or more. Send the run's expected cost (0 when unknown).`,
      negative.map(([pointer]) => ({ pointer: String(pointer), detail: 'must be zero or more' })),
    );
  }
  const hash = bodyHash(canonicalJson(raw));
  const now = ctx.now();
  const nowMs = now.getTime();
  const developerId = principal.developerId;
  const runId = input.client_run_id.toLowerCase();
  const dryRun = call.query.get('dry_run') === 'true';

  const existing = await ctx.db.get<PreflightRow>(
    'SELECT body_hash, decision, request_id, settled FROM preflights WHERE developer_id = ? AND client_run_id = ?',
    [developerId, runId],
  );
  if (existing && !dryRun) {
    if (existing.body_hash !== hash) {
      throw new ProblemError(
        422,
        'idempotency_key_reused',
        'This client_run_id was already asked about with a different body. Use a new client_run_id for a different run.',
        [{ pointer: '/client_run_id', detail: 'already used with another estimate or workflow' }],
      );
    }
    return jsonReply(200, await followApproval(call, existing, input, runId));
  }

  const entry = await ctx.cache.document(developerId, now);
  if (!entry)
    throw new ProblemError(
      401,
      'authentication',
      'The developer of this token no longer exists. Ask your admin for a new token.',
    );
  const band = bandForWorkflow(entry.document.bands, input.workflow);
  if (band && band.allocated.currency !== input.estimate.cost.currency) {
    throw new ProblemError(
      422,
      'validation_failed',
      `The estimate is in ${input.estimate.cost.currency} but the band ${band.id} is in ${band.allocated.currency}; send the estimate in ${band.allocated.currency}.`,
      [{ pointer: '/estimate/cost/currency', detail: `expected ${band.allocated.currency}` }],
    );
  }
  const verdict = preflightVerdict({
    workflow: input.workflow,
    estimate: input.estimate,
    limits: input.limits,
    band,
    policy: entry.document.escalation,
    now,
  });
  if (dryRun) return jsonReply(200, { ...verdict, reservation: null, approval: null } satisfies PreflightDecision);
  const decision = await ctx.db.transaction(async () => {
    let decision: PreflightDecision = { ...verdict, reservation: null, approval: null };
    // Asked twice at once with the same client_run_id: the first answer stands (compared as above).
    const raced = await ctx.db.get<PreflightRow>(
      'SELECT body_hash, decision, request_id, settled FROM preflights WHERE developer_id = ? AND client_run_id = ?',
      [developerId, runId],
    );
    if (raced) {
      if (raced.body_hash !== hash)
        throw new ProblemError(
          422,
          'idempotency_key_reused',
          'This client_run_id was already asked about with a different body. Use a new client_run_id for a different run.',
        );
      return JSON.parse(raced.decision) as PreflightDecision;
    }
    if ((verdict.decision === 'allow' || verdict.decision === 'warn') && band) {
      decision = { ...decision, reservation: await reserve(call, band, input, runId, nowMs) };
    } else if (verdict.decision === 'needs_approval') {
      const request = await insertRequest(ctx.db, {
        developerId,
        kind: 'run_approval',
        bandId: band?.id ?? null,
        // Only the validated fields (zod drops unknown keys): the raw body could carry 64 KiB of
        // anything, stored and served back for a day (#20 finding 7).
        body: { preflight: input, reason: verdict.reason, ...(verdict.rule_id ? { rule_id: verdict.rule_id } : {}) },
        bandSnapshot: band,
        nowMs,
        expiresMs: nowMs + RUN_APPROVAL_TTL_MS,
      });
      decision = {
        ...decision,
        approval: { request_id: request.id, status: 'pending', href: `/v1/me/requests/${request.id}` },
      };
    }
    await ctx.db.run(
      'INSERT INTO preflights (developer_id, client_run_id, body_hash, decision, request_id, settled, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        developerId,
        runId,
        hash,
        JSON.stringify(decision),
        decision.approval?.request_id ?? null,
        decision.approval ? 0 : 1,
        nowMs,
        nowMs,
      ],
    );
    return decision;
  });
  if (decision.reservation) ctx.cache.invalidate(developerId);
  return jsonReply(200, decision);
}

/**
 * `POST /v1/me/reservations/{id}/release` (a reference-server extension, capability
 * `reservation_release`, see the README): a run that never started gives back what its pre-flight
 * held, at once instead of when the reservation expires. Releasing one already expired or released
 * answers the same; another developer's reservation is a 404 like an unknown one.
 */
export async function postReleaseReservation(call: Call): Promise<Reply> {
  const { ctx, principal } = call;
  const id = call.params[0]!;
  const nowMs = call.now.getTime();
  const row = await ctx.db.get<{ currency: string; amount_micros: number; expires_ms: number }>(
    'SELECT currency, amount_micros, expires_ms FROM reservations WHERE id = ? AND developer_id = ?',
    [id, principal.developerId],
  );
  if (!row)
    throw new ProblemError(
      404,
      'not_found',
      `No reservation ${id} of yours. Use the reservation.id a pre-flight answered; nothing was changed.`,
    );
  const expiresMs = Math.min(Number(row.expires_ms), nowMs);
  if (Number(row.expires_ms) > nowMs) {
    await ctx.db.run('UPDATE reservations SET expires_ms = ? WHERE id = ? AND developer_id = ?', [
      nowMs,
      id,
      principal.developerId,
    ]);
    ctx.cache.invalidate(principal.developerId);
  }
  return jsonReply(200, {
    id,
    amount: { currency: row.currency, amount_micros: Number(row.amount_micros) },
    expires_at: new Date(expiresMs).toISOString(),
    released: true,
  });
}

async function reserve(
  call: Call,
  band: Band,
  input: PreflightRequest,
  runId: string,
  nowMs: number,
): Promise<NonNullable<PreflightDecision['reservation']>> {
  const id = `rsv_${randomBytes(9).toString('base64url')}`;
  const expires = nowMs + RESERVATION_TTL_MS;
  await call.ctx.db.run(
    'INSERT INTO reservations (id, developer_id, band_id, currency, amount_micros, client_run_id, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      id,
      call.principal.developerId,
      band.id,
      band.allocated.currency,
      input.estimate.cost.amount_micros,
      runId,
      nowMs,
      expires,
    ],
  );
  return { id, amount: input.estimate.cost, expires_at: new Date(expires).toISOString() };
}

/** A repeated question: the stored decision, or — for a pending approval now decided — its outcome. */
async function followApproval(
  call: Call,
  row: PreflightRow,
  input: PreflightRequest,
  runId: string,
): Promise<PreflightDecision> {
  const { ctx, principal } = call;
  const stored = JSON.parse(row.decision) as PreflightDecision;
  if (row.settled === 1 || !row.request_id) return stored;
  const now = ctx.now();
  const nowMs = now.getTime();
  // Read inside the transaction: another request may have settled it meanwhile (then its answer stands).
  const settledDecision = await ctx.db.transaction(async (): Promise<PreflightDecision | undefined> => {
    const current = await ctx.db.get<PreflightRow>(
      'SELECT body_hash, decision, request_id, settled FROM preflights WHERE developer_id = ? AND client_run_id = ?',
      [principal.developerId, runId],
    );
    if (current && current.settled === 1) return JSON.parse(current.decision) as PreflightDecision;
    const found = await loadRequest(ctx.db, row.request_id!);
    if (!found) return undefined;
    const request = await expireIfDue(ctx.db, found, nowMs);
    if (request.status === 'pending') return undefined;
    let settledDecision: PreflightDecision;
    const approval = { request_id: request.id, status: request.status, href: `/v1/me/requests/${request.id}` };
    const note = request.resolution
      ? (JSON.parse(request.resolution) as { note?: string; decided_by?: { id?: string } })
      : {};
    const by = note.decided_by?.id ? ` by ${note.decided_by.id}` : '';
    const why = note.note ? `: ${note.note}` : '.';
    const validUntil = new Date(nowMs + 600_000).toISOString();
    if (request.status === 'approved') {
      const entry = await ctx.cache.document(principal.developerId, now);
      const band = entry ? bandForWorkflow(entry.document.bands, input.workflow) : undefined;
      settledDecision = {
        ...stored,
        decision: 'allow',
        reason_code: 'approved',
        reason: `Approved${by}${why} The run of ${formatMoney(input.estimate.cost)} may start.`,
        reservation: band ? await reserve(call, band, input, runId, nowMs) : null,
        approval,
        valid_until: validUntil,
      };
    } else {
      settledDecision = {
        ...stored,
        decision: 'deny',
        reason_code: `approval_${request.status}`,
        reason:
          request.status === 'denied'
            ? `The approval was denied${by}${why} Do not start the run; ask your approver or file a band increase.`
            : `The approval request was ${request.status}. Ask again with a new run to file a new request.`,
        reservation: null,
        approval,
        valid_until: validUntil,
      };
    }
    await ctx.db.run(
      'UPDATE preflights SET decision = ?, settled = 1, updated_ms = ? WHERE developer_id = ? AND client_run_id = ?',
      [JSON.stringify(settledDecision), nowMs, principal.developerId, runId],
    );
    return settledDecision;
  });
  if (settledDecision) {
    if (settledDecision.reservation) ctx.cache.invalidate(principal.developerId);
    return settledDecision;
  }
  return stored;
}

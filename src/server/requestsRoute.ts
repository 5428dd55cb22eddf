// /v1/me/requests: file a band increase (Idempotency-Key required), list and poll own requests (ETag),
// cancel a pending one. Another developer's request id answers 404, exactly like an unknown id, so a
// token cannot learn that it exists.
import { IncreaseRequestCreateSchema, RequestStatusSchema, type Band } from '../domain/schemas';
import { localDate } from '../domain/period';
import { etagMatches } from './serverCache';
import { canonicalJson, parseJsonBody, readBody } from './httpBody';
import { bodyHash, requireIdempotencyKey } from './idempotency';
import { ProblemError, validationProblem } from './problem';
import {
  cancelRequest,
  expireIfDue,
  insertRequest,
  loadRequest,
  requestEtag,
  requestJson,
  type RequestRow,
} from './requestStore';
import {
  decodeCursor,
  encodeCursor,
  jsonReply,
  limitParam,
  SMALL_BODY_CAP_BYTES,
  type Call,
  type Reply,
} from './routeContext';
import { replay } from './sessionTagsRoute';

const ROUTE = 'requests';

export async function postRequest(call: Call): Promise<Reply> {
  const { ctx, principal } = call;
  const key = requireIdempotencyKey(call.req);
  const release = ctx.idempotency.claim(principal.developerId, ROUTE, key);
  try {
    const raw = parseJsonBody(await readBody(call.req, SMALL_BODY_CAP_BYTES));
    const parsed = IncreaseRequestCreateSchema.safeParse(raw);
    if (!parsed.success) throw validationProblem('The increase request', parsed.error.issues);
    const input = parsed.data;
    const now = ctx.now();
    const nowMs = now.getTime();
    const hash = bodyHash(canonicalJson(raw));
    const stored = await ctx.idempotency.replay(principal.developerId, ROUTE, key, hash, nowMs);
    if (stored) return replay(stored);

    const bands = (await ctx.cache.document(principal.developerId, now))?.document.bands ?? [];
    const band = bands.find((b) => b.id === input.band_id);
    if (!band) {
      throw new ProblemError(
        422,
        'validation_failed',
        `You have no band ${input.band_id}. Your bands are: ${bands.map((b) => b.id).join(', ') || 'none'}.`,
        [{ pointer: '/band_id', detail: 'not one of your bands' }],
      );
    }
    const amount = input.requested.delta ?? input.requested.new_allocated!;
    const amountPointer = input.requested.delta ? '/requested/delta' : '/requested/new_allocated';
    if (amount.currency !== band.allocated.currency) {
      throw new ProblemError(
        422,
        'validation_failed',
        `The band ${band.id} is in ${band.allocated.currency}; ask in ${band.allocated.currency}.`,
        [{ pointer: `${amountPointer}/currency`, detail: `expected ${band.allocated.currency}` }],
      );
    }
    if (
      amount.amount_micros <= 0 ||
      (input.requested.new_allocated && amount.amount_micros <= band.allocated.amount_micros)
    ) {
      throw new ProblemError(
        422,
        'validation_failed',
        'The request asks for no increase; ask for a positive delta or a new allocation above the current one.',
        [{ pointer: `${amountPointer}/amount_micros`, detail: 'must increase the allocation' }],
      );
    }
    if (input.scope === 'until_date' && input.until! < localDate(now, band.period.timezone ?? 'UTC')) {
      throw new ProblemError(
        422,
        'validation_failed',
        `until (${input.until}) is in the past; pick today or a later date.`,
        [{ pointer: '/until', detail: 'in the past' }],
      );
    }
    return await ctx.db.transaction(async () => {
      const row = await insertRequest(ctx.db, {
        developerId: principal.developerId,
        kind: 'band_increase',
        bandId: band.id,
        body: {
          requested: input.requested,
          scope: input.scope,
          ...(input.until ? { until: input.until } : {}),
          justification: input.justification,
          outcome: input.outcome,
        },
        bandSnapshot: band,
        nowMs,
        expiresMs: null,
      });
      const reply = jsonReply(201, requestJson(row, band), {
        location: `/v1/me/requests/${row.id}`,
        etag: requestEtag(row),
      });
      await ctx.idempotency.save(
        principal.developerId,
        ROUTE,
        key,
        hash,
        { status: 201, headers: reply.headers ?? {}, body: reply.body! },
        nowMs,
      );
      return reply;
    });
  } finally {
    release();
  }
}

function isSeqCursor(value: unknown): value is { before: number } {
  return typeof value === 'object' && value !== null && Number.isSafeInteger((value as { before?: unknown }).before);
}

export async function listRequests(call: Call): Promise<Reply> {
  const { ctx, principal, query } = call;
  const statusText = query.get('status');
  if (statusText !== null && !RequestStatusSchema.safeParse(statusText).success) {
    throw new ProblemError(400, 'invalid_request', `status must be one of ${RequestStatusSchema.options.join(', ')}.`, [
      { parameter: 'status', detail: 'unknown status' },
    ]);
  }
  const limit = limitParam(query);
  const cursorText = query.get('cursor');
  const before = cursorText ? decodeCursor(cursorText, isSeqCursor).before : Number.MAX_SAFE_INTEGER;
  const now = ctx.now();
  const nowMs = now.getTime();
  // Expire due run approvals first so the status filter sees the truth.
  const due = await ctx.db.all<RequestRow>(
    "SELECT * FROM requests WHERE developer_id = ? AND status = 'pending' AND expires_ms IS NOT NULL AND expires_ms <= ?",
    [principal.developerId, nowMs],
  );
  for (const row of due) await expireIfDue(ctx.db, row, nowMs);
  const rows =
    statusText === null
      ? await ctx.db.all<RequestRow>(
          'SELECT * FROM requests WHERE developer_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
          [principal.developerId, before, limit + 1],
        )
      : await ctx.db.all<RequestRow>(
          'SELECT * FROM requests WHERE developer_id = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
          [principal.developerId, statusText, before, limit + 1],
        );
  const page = rows.slice(0, limit);
  const bands = page.some((r) => r.status === 'pending')
    ? ((await ctx.cache.document(principal.developerId, now))?.document.bands ?? [])
    : [];
  return jsonReply(200, {
    data: page.map((row) => requestJson(row, liveBand(bands, row))),
    next_cursor: rows.length > limit ? encodeCursor({ before: page[page.length - 1]!.seq }) : null,
  });
}

function liveBand(bands: readonly Band[], row: RequestRow): Band | undefined {
  return row.band_id ? bands.find((b) => b.id === row.band_id) : undefined;
}

async function ownRequest(call: Call, id: string): Promise<RequestRow> {
  const row = id.length <= 100 ? await loadRequest(call.ctx.db, id) : undefined;
  if (!row || row.developer_id !== call.principal.developerId) {
    throw new ProblemError(
      404,
      'not_found',
      `There is no request ${id.slice(0, 100)} among yours. List yours with GET /v1/me/requests.`,
    );
  }
  return expireIfDue(call.ctx.db, row, call.now.getTime());
}

export async function getRequest(call: Call): Promise<Reply> {
  const row = await ownRequest(call, call.params[0]!);
  const etag = requestEtag(row);
  if (etagMatches(call.req.headers['if-none-match'], etag)) return { status: 304, headers: { etag } };
  const band =
    row.status === 'pending'
      ? liveBand((await call.ctx.cache.document(call.principal.developerId, call.now))?.document.bands ?? [], row)
      : undefined;
  return jsonReply(200, requestJson(row, band), { etag });
}

export async function postCancel(call: Call): Promise<Reply> {
  const row = await ownRequest(call, call.params[0]!);
  const outcome = await call.ctx.db.transaction(() => cancelRequest(call.ctx.db, row, call.now.getTime()));
  if ('conflict' in outcome) throw new ProblemError(409, 'conflict', outcome.conflict);
  return jsonReply(200, requestJson(outcome.row), { etag: requestEtag(outcome.row) });
}

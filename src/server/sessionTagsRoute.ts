// POST /v1/me/session-tags: batch upsert of workflow-labelled spans, per-item results. A tag id is
// the client's UUID; re-sending it updates the span (an ended span stays ended unless a new end is
// sent). Items are validated one by one: a bad item is rejected with its own problem, the rest are
// stored, all in one transaction together with the idempotency record.
import { MAX_BATCH_ITEMS, SessionTagSchema, type SessionTagBatchResult } from '../domain/schemas';
import { canonicalJson, parseJsonBody, readBody } from './httpBody';
import { bodyHash, requireIdempotencyKey, type StoredResponse } from './idempotency';
import { problemBody, ProblemError, fieldErrors } from './problem';
import { isPlainObject, jsonReply, TAG_BODY_CAP_BYTES, type Call, type Reply } from './routeContext';

const ROUTE = 'session-tags';
/** Spans starting further in the future than this are clock errors, not sessions. */
const MAX_FUTURE_MS = 24 * 3_600_000;

export async function postSessionTags(call: Call, requestId: string): Promise<Reply> {
  const { ctx, principal } = call;
  const key = requireIdempotencyKey(call.req);
  // Claimed before the body is read: a concurrent retry with the same key gets 409, not a second run.
  const release = ctx.idempotency.claim(principal.developerId, ROUTE, key);
  try {
    const raw = parseJsonBody(await readBody(call.req, TAG_BODY_CAP_BYTES));
    if (!isPlainObject(raw) || !Array.isArray(raw.items)) {
      throw new ProblemError(
        422,
        'validation_failed',
        'The body must be {"items": [...]} with 1 to 500 session tags.',
        [{ pointer: '/items', detail: 'an array of session tags' }],
      );
    }
    if (raw.items.length > MAX_BATCH_ITEMS) {
      throw new ProblemError(
        413,
        'batch_too_large',
        `The batch has ${raw.items.length} items; at most ${MAX_BATCH_ITEMS} are accepted. Split it into smaller batches.`,
      );
    }
    if (raw.items.length === 0) {
      throw new ProblemError(422, 'validation_failed', 'The batch is empty; send 1 to 500 session tags.', [
        { pointer: '/items', detail: 'at least one item' },
      ]);
    }
    const now = ctx.now();
    const nowMs = now.getTime();
    const hash = bodyHash(canonicalJson(raw));
    const stored = await ctx.idempotency.replay(principal.developerId, ROUTE, key, hash, nowMs);
    if (stored) return replay(stored);

    const result: SessionTagBatchResult = { accepted: [], rejected: [] };
    const rows: Array<{
      id: string;
      workflow: string;
      started: number;
      ended: number | null;
      tool: string | null;
      workspace: string | null;
      labels: string | null;
    }> = [];
    raw.items.forEach((item, index) => {
      const parsed = SessionTagSchema.safeParse(item);
      const id = isPlainObject(item) && typeof item.id === 'string' ? item.id.slice(0, 100) : `#${index}`;
      const reject = (errors: { pointer: string; detail: string }[]) => {
        const detail = `Session tag ${id} was not stored: ${errors[0]!.pointer}: ${errors[0]!.detail}. Fix it and send it again.`;
        result.rejected.push({ id, problem: problemBody(422, 'validation_failed', detail, requestId, errors) });
      };
      if (!parsed.success) {
        reject(fieldErrors(parsed.error.issues, `/items/${index}`) as { pointer: string; detail: string }[]);
        return;
      }
      const tag = parsed.data;
      const started = Date.parse(tag.started_at);
      const ended = tag.ended_at ? Date.parse(tag.ended_at) : null;
      if (ended !== null && ended < started) {
        reject([{ pointer: `/items/${index}/ended_at`, detail: 'ended_at is before started_at' }]);
        return;
      }
      if (started > nowMs + MAX_FUTURE_MS) {
        reject([
          {
            pointer: `/items/${index}/started_at`,
            detail: 'started_at is more than a day in the future; check the clock',
          },
        ]);
        return;
      }
      rows.push({
        id: tag.id.toLowerCase(),
        workflow: tag.workflow,
        started,
        ended,
        tool: tag.tool ? JSON.stringify(tag.tool) : null,
        workspace: tag.workspace ? JSON.stringify(tag.workspace) : null,
        labels: tag.labels ? JSON.stringify(tag.labels) : null,
      });
      result.accepted.push(tag.id);
    });

    const reply = jsonReply(200, result, { 'content-type': 'application/json' });
    const upsert = `INSERT INTO session_tags (developer_id, id, workflow, started_ms, ended_ms, tool, workspace, labels, created_ms, updated_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (developer_id, id) DO UPDATE SET workflow = excluded.workflow, started_ms = excluded.started_ms,
         ended_ms = coalesce(excluded.ended_ms, session_tags.ended_ms), tool = coalesce(excluded.tool, session_tags.tool),
         workspace = coalesce(excluded.workspace, session_tags.workspace), labels = coalesce(excluded.labels, session_tags.labels),
         updated_ms = excluded.updated_ms`;
    await ctx.db.transaction(async () => {
      for (const r of rows)
        await ctx.db.run(upsert, [
          principal.developerId,
          r.id,
          r.workflow,
          r.started,
          r.ended,
          r.tool,
          r.workspace,
          r.labels,
          nowMs,
          nowMs,
        ]);
      await ctx.idempotency.save(
        principal.developerId,
        ROUTE,
        key,
        hash,
        { status: 200, headers: reply.headers ?? {}, body: reply.body! },
        nowMs,
      );
    });
    if (rows.length > 0) ctx.cache.invalidate(principal.developerId);
    return reply;
  } finally {
    release();
  }
}

export function replay(stored: StoredResponse): Reply {
  return { status: stored.status, headers: { ...stored.headers, 'idempotent-replayed': 'true' }, body: stored.body };
}

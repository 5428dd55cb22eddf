// Requests (band increases filed by a developer, run approvals created by pre-flight) and their life:
// pending → approved | denied | cancelled | expired. Shared by the HTTP routes and the admin commands,
// so the rules for a transition live in one place.
import { randomBytes } from 'node:crypto';
import { bandForWorkflow } from '../domain/bandLookup';
import { nextPeriod, startOfLocalDate } from '../domain/period';
import type { Band, Money, Request, RequestStatus } from '../domain/schemas';
import type { Resolution } from '../domain/serverAdmin';
import { AdminInputError } from './adminStore';
import { apiBandId, bandPeriod, buildBandsDocument, effectiveBandRows, getDeveloper } from './bandsBuilder';
import type { SqlDb } from './storage/sqlDb';

/** A run approval nobody acts on within a day expires; the developer asks again with a fresh run. */
export const RUN_APPROVAL_TTL_MS = 24 * 3_600_000;

export interface RequestRow {
  seq: number;
  id: string;
  developer_id: string;
  kind: 'band_increase' | 'run_approval';
  status: RequestStatus;
  band_id: string | null;
  body: string;
  band_snapshot: string | null;
  created_ms: number;
  updated_ms: number;
  expires_ms: number | null;
  resolution: string | null;
  revision: number;
}

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('base64url')}`;
}

export function loadRequest(db: SqlDb, id: string): Promise<RequestRow | undefined> {
  return db.get<RequestRow>('SELECT * FROM requests WHERE id = ?', [id]);
}

/** A pending request past its expiry becomes expired (written, so every reader agrees). */
export async function expireIfDue(db: SqlDb, row: RequestRow, nowMs: number): Promise<RequestRow> {
  if (row.status !== 'pending' || row.expires_ms === null || nowMs < row.expires_ms) return row;
  await db.run(
    "UPDATE requests SET status = 'expired', updated_ms = ?, revision = revision + 1 WHERE id = ? AND status = 'pending'",
    [row.expires_ms, row.id],
  );
  return (await loadRequest(db, row.id)) ?? row;
}

export interface NewRequest {
  developerId: string;
  kind: RequestRow['kind'];
  bandId: string | null;
  body: Record<string, unknown>;
  bandSnapshot: Band | undefined;
  nowMs: number;
  expiresMs: number | null;
}

export async function insertRequest(db: SqlDb, input: NewRequest): Promise<RequestRow> {
  const id = newRequestId();
  await db.run(
    "INSERT INTO requests (id, developer_id, kind, status, band_id, body, band_snapshot, created_ms, updated_ms, expires_ms) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
    [
      id,
      input.developerId,
      input.kind,
      input.bandId,
      JSON.stringify(input.body),
      input.bandSnapshot ? JSON.stringify(input.bandSnapshot) : null,
      input.nowMs,
      input.nowMs,
      input.expiresMs,
    ],
  );
  return (await loadRequest(db, id))!;
}

/** The wire form; `liveBand` replaces the stored snapshot while the request is pending. */
export function requestJson(row: RequestRow, liveBand?: Band): Request {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  const snapshot =
    row.status === 'pending' && liveBand
      ? liveBand
      : row.band_snapshot
        ? (JSON.parse(row.band_snapshot) as Band)
        : undefined;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    created_at: new Date(row.created_ms).toISOString(),
    updated_at: new Date(row.updated_ms).toISOString(),
    ...(row.band_id ? { band_id: row.band_id } : {}),
    ...body,
    ...(snapshot ? { band_snapshot: snapshot } : {}),
    resolution: row.resolution ? (JSON.parse(row.resolution) as Request['resolution']) : null,
  } as Request;
}

/** Changes with every transition (the revision is persisted, so it survives restarts). */
export function requestEtag(row: RequestRow): string {
  return `W/"r${row.revision}-${row.status}"`;
}

export type CancelOutcome = { row: RequestRow } | { conflict: string };

export async function cancelRequest(db: SqlDb, row: RequestRow, nowMs: number): Promise<CancelOutcome> {
  if (row.status === 'cancelled') return { row };
  if (row.status !== 'pending')
    return { conflict: `request ${row.id} is already ${row.status}; only a pending request can be cancelled.` };
  const changed = await db.run(
    "UPDATE requests SET status = 'cancelled', updated_ms = ?, revision = revision + 1 WHERE id = ? AND status = 'pending'",
    [nowMs, row.id],
  );
  const now = (await loadRequest(db, row.id))!;
  // Decided meanwhile (by an admin in another process): say so rather than pretend it was cancelled.
  if (changed.changes === 0 && now.status !== 'cancelled')
    return { conflict: `request ${row.id} is already ${now.status}; only a pending request can be cancelled.` };
  return { row: now };
}

/** A request that cannot be resolved as asked (unknown, no longer pending): the message says what to do. */
export class ResolutionError extends AdminInputError {}

/** Every request, newest first, expired on the way when due; filtered by status and developer. */
export async function listRequests(
  db: SqlDb,
  filter: { status?: string | undefined; developerId?: string | undefined },
  nowMs: number,
): Promise<RequestRow[]> {
  const all = await db.all<RequestRow>('SELECT * FROM requests ORDER BY seq DESC');
  const current: RequestRow[] = [];
  for (const row of all) current.push(await expireIfDue(db, row, nowMs));
  return current.filter(
    (r) =>
      (filter.status === undefined || r.status === filter.status) &&
      (filter.developerId === undefined || r.developer_id === filter.developerId),
  );
}

/** Approve or deny a pending request; an approved band increase writes a temporary increase. */
export async function resolveRequest(db: SqlDb, requestId: string, resolution: Resolution): Promise<RequestRow> {
  const nowMs = resolution.now.getTime();
  return db.transaction(async () => {
    const found = await loadRequest(db, requestId);
    if (!found) throw new ResolutionError(`no request ${requestId}. List them with: spend-band admin request list`);
    const row = await expireIfDue(db, found, nowMs);
    if (row.status !== 'pending') {
      throw new ResolutionError(
        `request ${requestId} is already ${row.status}${row.resolution ? ` (${describeResolution(row)})` : ''}; nothing to do.`,
      );
    }
    const developer = await getDeveloper(db, row.developer_id);
    if (!developer)
      throw new ResolutionError(`request ${requestId} belongs to developer ${row.developer_id}, who no longer exists.`);
    const body = JSON.parse(row.body) as Record<string, unknown>;
    let approved: Money | undefined;
    let effectiveUntil: string | null = null;
    let increase: { band_id: string; currency: string; amount: number; from: number; until: number } | undefined;

    if (resolution.approve && row.kind === 'band_increase') {
      const bandRow = (await effectiveBandRows(db, developer)).find((b) => apiBandId(b.workflow) === row.band_id);
      if (!bandRow)
        throw new ResolutionError(
          `the band ${row.band_id} of request ${requestId} no longer exists for ${developer.id}; deny the request instead.`,
        );
      const requested = body.requested as { delta?: Money; new_allocated?: Money };
      let amount = resolution.amountMicros;
      if (amount === undefined) {
        if (requested.delta) amount = requested.delta.amount_micros;
        else if (requested.new_allocated) amount = requested.new_allocated.amount_micros - bandRow.allocated_micros;
      }
      if (amount === undefined || amount <= 0) {
        throw new ResolutionError(
          `request ${requestId} asks for no increase over the current allocation; pass --amount-usd N to approve an amount.`,
        );
      }
      const current = bandPeriod(bandRow, resolution.now);
      let from = nowMs;
      let until = Date.parse(current.end);
      if (body.scope === 'next_period') {
        const next = nextPeriod(current);
        from = Date.parse(next.start);
        until = Date.parse(next.end);
      } else if (body.scope === 'until_date' && typeof body.until === 'string') {
        until = dayAfter(body.until, bandRow.timezone);
      }
      if (resolution.untilDate !== undefined) until = dayAfter(resolution.untilDate, bandRow.timezone);
      if (until <= from)
        throw new ResolutionError(
          `the increase would end (${new Date(until).toISOString()}) before it starts; pass a later --until.`,
        );
      approved = { currency: bandRow.currency, amount_micros: amount };
      effectiveUntil = new Date(until).toISOString();
      increase = { band_id: row.band_id!, currency: bandRow.currency, amount, from, until };
    } else if (resolution.approve && row.kind === 'run_approval') {
      if (resolution.amountMicros !== undefined || resolution.untilDate !== undefined) {
        throw new ResolutionError(
          '--amount-usd and --until apply to band increases only; a run approval approves the run as asked.',
        );
      }
      const preflight = body.preflight as { estimate?: { cost?: Money } } | undefined;
      approved = preflight?.estimate?.cost;
    }

    if (increase) {
      await db.run(
        'INSERT INTO increases (developer_id, band_id, currency, amount_micros, from_ms, until_ms, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [row.developer_id, increase.band_id, increase.currency, increase.amount, increase.from, increase.until, row.id],
      );
    }
    const record = {
      decided_by: resolution.decidedBy,
      decided_at: resolution.now.toISOString(),
      ...(approved ? { approved } : {}),
      effective_until: effectiveUntil,
      ...(resolution.note ? { note: resolution.note } : {}),
    };
    // The snapshot freezes the band as it is once decided (it was live while pending).
    const doc = (await buildBandsDocument(db, row.developer_id, resolution.now))?.document;
    const workflow = row.band_id?.replace(/^b_/, '');
    const band =
      doc && workflow
        ? (doc.bands.find((b) => b.id === row.band_id) ?? bandForWorkflow(doc.bands, workflow))
        : undefined;
    await db.run(
      'UPDATE requests SET status = ?, resolution = ?, band_snapshot = coalesce(?, band_snapshot), updated_ms = ?, revision = revision + 1 WHERE id = ?',
      [
        resolution.approve ? 'approved' : 'denied',
        JSON.stringify(record),
        band ? JSON.stringify(band) : null,
        nowMs,
        row.id,
      ],
    );
    return (await loadRequest(db, row.id))!;
  });
}

/** The first instant after YYYY-MM-DD in the zone: an "until" date is inclusive. */
export function dayAfter(isoDate: string, timeZone: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate) || Number.isNaN(Date.parse(`${isoDate}T00:00:00Z`))) {
    throw new ResolutionError(`"${isoDate}" is not a date; write YYYY-MM-DD.`);
  }
  const next = new Date(Date.parse(`${isoDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return startOfLocalDate(next, timeZone);
}

function describeResolution(row: RequestRow): string {
  const r = JSON.parse(row.resolution!) as { decided_at?: string; decided_by?: { id?: string } };
  return `decided ${r.decided_at ?? ''} by ${r.decided_by?.id ?? 'an admin'}`.trim();
}

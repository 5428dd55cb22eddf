// The administration of the database file that `spend-band admin` drives (domain/serverAdmin.ts), each
// action over the stores. Input a person can correct throws AdminInputError (ResolutionError is one),
// which the CLI recognises by its name, since dist/server.js carries its own classes.
import type { AdminRequest, ServerAdmin } from '../domain/serverAdmin';
import {
  addDeveloper,
  addRule,
  AdminInputError,
  developerExists,
  insertUsageEvents,
  issueToken,
  listDevelopers,
  listSessionTags,
  revokeTokens,
  rotateTokens,
  setBand,
  setPolicy,
  setSeat,
} from './adminStore';
import { buildBandsDocument } from './bandsBuilder';
import { listRequests, requestJson, resolveRequest, type RequestRow } from './requestStore';
import { openStorage } from './storage/openStorage';
import type { SqlDb } from './storage/sqlDb';
import { serverDbPath } from './serverPaths';
import { gatherTeamReview, recordOutcome } from './teamReviewStore';
import { ALL_SCOPES, parseScopes } from './tokens';
import { parseUsageFile } from './usageImport';

function scopesOption(scopes: string | undefined): ReturnType<typeof parseScopes> | undefined {
  if (scopes === undefined) return undefined;
  try {
    return parseScopes(scopes);
  } catch (error) {
    throw new AdminInputError(`--scopes: ${(error as Error).message}.`);
  }
}

/** Opens (or creates) the database at --db / SPEND_BAND_DB / the XDG default for administration. */
export async function openAdmin(
  dbFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ServerAdmin> {
  const db = await openStorage(serverDbPath(dbFlag, env));
  return {
    review: async (options) => {
      if (
        options.date !== undefined &&
        (!/^\d{4}-\d{2}-\d{2}$/.test(options.date) || Number.isNaN(Date.parse(`${options.date}T00:00:00Z`)))
      ) {
        throw new AdminInputError(`--date ${options.date}: write a day YYYY-MM-DD inside the period to review.`);
      }
      return gatherTeamReview(db, {
        team: options.team,
        period: options.period,
        at: options.date === undefined ? undefined : new Date(`${options.date}T12:00:00Z`),
        now: options.now,
      });
    },
    recordOutcome: async (requestId, result, nowMs) => recordOutcome(db, requestId, result, nowMs),
    addDeveloper: async (input, nowMs) => addDeveloper(db, input, nowMs),
    listDevelopers: async () => listDevelopers(db),
    issueToken: async (developerId, nowMs, scopes, label, expiresMs) =>
      issueToken(db, developerId, nowMs, scopesOption(scopes) ?? [...ALL_SCOPES], label, expiresMs ?? null),
    rotateTokens: async (developerId, nowMs, options) =>
      rotateTokens(db, developerId, nowMs, {
        graceMs: options.graceMs,
        expiresMs: options.expiresMs,
        scopes: scopesOption(options.scopes),
        label: options.label,
      }),
    revokeTokens: async (developerId, nowMs) => revokeTokens(db, developerId, nowMs),
    setSeat: async (input) => setSeat(db, input),
    setBand: async (input) => setBand(db, input),
    bandsDocument: async (developerId, now) => (await buildBandsDocument(db, developerId, now))?.document,
    addRule: async (input) => addRule(db, input),
    setPolicy: async (input) => setPolicy(db, input),
    importUsage: async (text, fileName) => importUsage(db, text, fileName),
    listSessionTags: async (developerId) => listSessionTags(db, developerId),
    listRequests: async (filter, nowMs) => (await listRequests(db, filter, nowMs)).map(adminRequest),
    resolveRequest: async (requestId, resolution) => adminRequest(await resolveRequest(db, requestId, resolution)),
    close: () => db.close(),
  };
}

async function importUsage(db: SqlDb, text: string, fileName: string) {
  const parsed = parseUsageFile(text, fileName);
  const unknown: string[] = [];
  for (const id of new Set(parsed.events.map((e) => e.developerId)))
    if (!(await developerExists(db, id))) unknown.push(id);
  for (const id of unknown.slice(0, 5))
    parsed.errors.push(`developer "${id}" does not exist; add it with: spend-band admin developer add --id ${id}`);
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  return insertUsageEvents(db, parsed.events);
}

function adminRequest(row: RequestRow): AdminRequest {
  return { ...requestJson(row), developer_id: row.developer_id };
}

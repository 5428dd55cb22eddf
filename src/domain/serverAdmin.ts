// What the reference server's bundle (dist/server.js) offers the `spend-band server` and `spend-band admin`
// commands. The CLI loads that bundle at run time (better-sqlite3 only for the commands that need it), so
// neither face imports the other: both hold to this contract. Every admin action is async, so a store
// that answers asynchronously fits behind it unchanged.
import type { ReviewPeriod, TeamReview } from './teamReview';
import type { BandsDocument, EscalationRule, Request } from './schemas';

/** The name of the error an admin action throws for input a person can correct (its message says how). */
export const ADMIN_INPUT_ERROR = 'AdminInputError';

export interface DeveloperInput {
  id: string;
  name?: string | undefined;
  email?: string | undefined;
  role?: string | undefined;
  /** the team whose review the developer appears in (default "default") */
  team?: string | undefined;
}

export interface SeatInput {
  role: string;
  vendor: string;
  product: string;
  plan?: string | undefined;
  currency: string;
  costMicros: number;
  costPeriod?: string | undefined;
  includedQuotas?: unknown[] | undefined;
}

export type Scoped = { developerId: string; roleId?: undefined } | { roleId: string; developerId?: undefined };

export interface BandInput {
  scope: Scoped;
  workflow: string;
  label?: string | undefined;
  interval: string;
  timezone: string;
  currency: string;
  allocatedMicros: number;
  enforcement: string;
  thresholds: readonly number[];
}

export interface RuleInput {
  scope: Scoped;
  id?: string | undefined;
  appliesTo: readonly string[];
  when: NonNullable<EscalationRule['when']>;
  action: string;
  approverRole?: string | undefined;
  message?: string | undefined;
}

export interface PolicyInput {
  scope: Scoped;
  currency: string;
  perRunCapMicros?: number | undefined;
  maxDuration?: string | undefined;
  maxIterations?: number | undefined;
}

export interface Resolution {
  approve: boolean;
  /** band increases: override the amount (default: the requested delta, or new − current allocation) */
  amountMicros?: number | undefined;
  /** band increases: YYYY-MM-DD, inclusive, in the band's time zone (default by the request's scope) */
  untilDate?: string | undefined;
  note?: string | undefined;
  decidedBy: { id: string; display_name?: string };
  now: Date;
}

export interface DeveloperSummary {
  id: string;
  display_name: string | null;
  email: string | null;
  role_id: string;
  live_tokens: number;
}

export interface SessionTagSummary {
  developer_id: string;
  id: string;
  workflow: string;
  started_at: string;
  ended_at: string | null;
  workspace: unknown;
  updated_at: string;
}

export type AdminRequest = Request & { developer_id: string };

export type UsageImportResult = { errors: string[] } | { errors?: undefined; inserted: number; duplicates: number };

export interface ReviewRequestOptions {
  team: string;
  period: ReviewPeriod;
  /** YYYY-MM-DD inside the period to review; default the last complete one */
  date?: string | undefined;
  now: Date;
}

export interface ServerAdmin {
  /** The review of one team over a week or month (domain/teamReview.ts). */
  review(options: ReviewRequestOptions): Promise<TeamReview>;
  /** Record what an approved band increase achieved. */
  recordOutcome(requestId: string, result: string, nowMs: number): Promise<void>;
  /** Add a developer, or update the given fields of an existing one; true when it was new. */
  addDeveloper(input: DeveloperInput, nowMs: number): Promise<boolean>;
  listDevelopers(): Promise<DeveloperSummary[]>;
  /** A new token (shown once); `scopes` is a comma list, default every scope. */
  issueToken(
    developerId: string,
    nowMs: number,
    scopes?: string,
    label?: string,
    expiresMs?: number | null,
  ): Promise<string>;
  /**
   * A new token with the scopes of the newest live one (or `scopes`); the developer's other live
   * tokens are revoked, or with graceMs > 0 expire at now + grace.
   */
  rotateTokens(
    developerId: string,
    nowMs: number,
    options: { graceMs: number; expiresMs: number | null; scopes?: string | undefined; label?: string | undefined },
  ): Promise<{ token: string; scopes: string[]; retired: number; retiredAtMs: number }>;
  /** Revokes every live token of the developer; returns how many. */
  revokeTokens(developerId: string, nowMs: number): Promise<number>;
  setSeat(input: SeatInput): Promise<string>;
  setBand(input: BandInput): Promise<string>;
  /** The developer's bands as the API shows them now; undefined when there is no such developer. */
  bandsDocument(developerId: string, now: Date): Promise<BandsDocument | undefined>;
  addRule(input: RuleInput): Promise<string>;
  setPolicy(input: PolicyInput): Promise<void>;
  /** Imports a JSON-lines or CSV file of usage events whole, or nothing (then `errors` says why). */
  importUsage(text: string, fileName: string): Promise<UsageImportResult>;
  /** Newest first, at most 1000. */
  listSessionTags(developerId?: string): Promise<SessionTagSummary[]>;
  /** Newest first; pending requests past their expiry are expired on the way. */
  listRequests(
    filter: { status?: string | undefined; developerId?: string | undefined },
    nowMs: number,
  ): Promise<AdminRequest[]>;
  resolveRequest(requestId: string, resolution: Resolution): Promise<AdminRequest>;
  close(): Promise<void>;
}

export interface ServerRunOptions {
  /** the database file; default SPEND_BAND_DB, else the XDG data folder */
  db?: string | undefined;
  host?: string | undefined;
  /** as typed; default SPEND_BAND_PORT, else 8787 */
  port?: string | undefined;
  demo: boolean;
  json: boolean;
}

export interface ServerIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  now(): Date;
  /** fired on SIGINT/SIGTERM: the server closes cleanly */
  signal: AbortSignal;
}

/** The exports of dist/server.js that the CLI uses. */
export interface ServerModule {
  /** Runs until `io.signal` fires; returns the exit code (errors are written to `io.stderr`). */
  runServer(options: ServerRunOptions, io: ServerIo): Promise<number>;
  /** Opens the database for administration (created when missing); throws with a sentence when it cannot. */
  openAdmin(dbPath: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<ServerAdmin>;
  /** The scopes a token can carry. */
  readonly tokenScopes: readonly string[];
}

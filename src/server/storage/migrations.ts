// Numbered schema migrations, one text per dialect for each step. Each entry moves the schema from
// version i to i + 1; never edit one that has shipped, append. The Postgres text is the same schema:
// BIGINT where SQLite's INTEGER holds milliseconds, micros or token counts, identity columns for
// SQLite's integer keys, and an explicit `rowid` column on the two tables read in insertion order.

export interface Migration {
  sqlite: string;
  postgres: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    sqlite: `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE roles (id TEXT PRIMARY KEY, label TEXT);
  CREATE TABLE developers (
    id TEXT PRIMARY KEY, display_name TEXT, email TEXT,
    role_id TEXT NOT NULL REFERENCES roles(id), created_ms INTEGER NOT NULL);
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id),
    scopes TEXT NOT NULL, label TEXT, created_ms INTEGER NOT NULL, revoked_ms INTEGER);
  CREATE INDEX tokens_developer ON tokens(developer_id);
  CREATE TABLE seats (
    id TEXT PRIMARY KEY, role_id TEXT NOT NULL REFERENCES roles(id), vendor TEXT NOT NULL, product TEXT NOT NULL,
    plan TEXT, currency TEXT NOT NULL, cost_micros INTEGER NOT NULL, cost_period TEXT NOT NULL DEFAULT 'P1M',
    included_quotas TEXT, UNIQUE (role_id, vendor, product));
  CREATE TABLE bands (
    id TEXT PRIMARY KEY, developer_id TEXT REFERENCES developers(id), role_id TEXT REFERENCES roles(id),
    workflow TEXT NOT NULL, label TEXT, interval TEXT NOT NULL, timezone TEXT NOT NULL, currency TEXT NOT NULL,
    allocated_micros INTEGER NOT NULL, enforcement TEXT NOT NULL, thresholds TEXT NOT NULL,
    CHECK ((developer_id IS NULL) <> (role_id IS NULL)));
  CREATE UNIQUE INDEX bands_scope ON bands(coalesce(developer_id, ''), coalesce(role_id, ''), workflow);
  CREATE TABLE policies (
    scope TEXT PRIMARY KEY, currency TEXT NOT NULL, per_run_cap_micros INTEGER, max_duration TEXT, max_iterations INTEGER);
  CREATE TABLE rules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    developer_id TEXT REFERENCES developers(id), role_id TEXT REFERENCES roles(id),
    applies_to TEXT NOT NULL, when_json TEXT NOT NULL, action TEXT NOT NULL, approver_role TEXT, message TEXT,
    CHECK ((developer_id IS NULL) <> (role_id IS NULL)));
  CREATE TABLE usage_events (
    seq INTEGER PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), time_ms INTEGER NOT NULL,
    provider TEXT NOT NULL, model TEXT, workflow TEXT, currency TEXT NOT NULL, cost_micros INTEGER NOT NULL,
    input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER,
    total_tokens INTEGER, estimated INTEGER NOT NULL DEFAULT 0, dedupe_key TEXT NOT NULL UNIQUE);
  CREATE INDEX usage_developer_time ON usage_events(developer_id, time_ms);
  CREATE TABLE session_tags (
    developer_id TEXT NOT NULL REFERENCES developers(id), id TEXT NOT NULL, workflow TEXT NOT NULL,
    started_ms INTEGER NOT NULL, ended_ms INTEGER, tool TEXT, workspace TEXT, labels TEXT,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY (developer_id, id)) WITHOUT ROWID;
  CREATE INDEX session_tags_start ON session_tags(developer_id, started_ms);
  CREATE TABLE idempotency (
    developer_id TEXT NOT NULL, route TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,
    status INTEGER NOT NULL, headers TEXT NOT NULL, body TEXT NOT NULL, created_ms INTEGER NOT NULL,
    PRIMARY KEY (developer_id, route, key)) WITHOUT ROWID;
  CREATE INDEX idempotency_created ON idempotency(created_ms);
  CREATE TABLE reservations (
    id TEXT PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), band_id TEXT NOT NULL,
    currency TEXT NOT NULL, amount_micros INTEGER NOT NULL, client_run_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
  CREATE INDEX reservations_developer ON reservations(developer_id, expires_ms);
  CREATE TABLE preflights (
    developer_id TEXT NOT NULL REFERENCES developers(id), client_run_id TEXT NOT NULL, body_hash TEXT NOT NULL,
    decision TEXT NOT NULL, request_id TEXT, settled INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY (developer_id, client_run_id)) WITHOUT ROWID;
  CREATE TABLE requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, developer_id TEXT NOT NULL REFERENCES developers(id),
    kind TEXT NOT NULL, status TEXT NOT NULL, band_id TEXT, body TEXT NOT NULL, band_snapshot TEXT,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, expires_ms INTEGER, resolution TEXT,
    revision INTEGER NOT NULL DEFAULT 1);
  CREATE INDEX requests_developer ON requests(developer_id, seq);
  CREATE TABLE increases (
    seq INTEGER PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), band_id TEXT NOT NULL,
    currency TEXT NOT NULL, amount_micros INTEGER NOT NULL, from_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL,
    request_id TEXT);
  CREATE INDEX increases_developer ON increases(developer_id, until_ms);
  `,
    postgres: `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE roles (id TEXT PRIMARY KEY, label TEXT);
  CREATE TABLE developers (
    id TEXT PRIMARY KEY, display_name TEXT, email TEXT,
    role_id TEXT NOT NULL REFERENCES roles(id), created_ms BIGINT NOT NULL);
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id),
    scopes TEXT NOT NULL, label TEXT, created_ms BIGINT NOT NULL, revoked_ms BIGINT);
  CREATE INDEX tokens_developer ON tokens(developer_id);
  CREATE TABLE seats (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY, role_id TEXT NOT NULL REFERENCES roles(id), vendor TEXT NOT NULL, product TEXT NOT NULL,
    plan TEXT, currency TEXT NOT NULL, cost_micros BIGINT NOT NULL, cost_period TEXT NOT NULL DEFAULT 'P1M',
    included_quotas TEXT, UNIQUE (role_id, vendor, product));
  CREATE TABLE bands (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY, developer_id TEXT REFERENCES developers(id), role_id TEXT REFERENCES roles(id),
    workflow TEXT NOT NULL, label TEXT, interval TEXT NOT NULL, timezone TEXT NOT NULL, currency TEXT NOT NULL,
    allocated_micros BIGINT NOT NULL, enforcement TEXT NOT NULL, thresholds TEXT NOT NULL,
    CHECK ((developer_id IS NULL) <> (role_id IS NULL)));
  CREATE UNIQUE INDEX bands_scope ON bands((coalesce(developer_id, '')), (coalesce(role_id, '')), workflow);
  CREATE TABLE policies (
    scope TEXT PRIMARY KEY, currency TEXT NOT NULL, per_run_cap_micros BIGINT, max_duration TEXT, max_iterations INTEGER);
  CREATE TABLE rules (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    developer_id TEXT REFERENCES developers(id), role_id TEXT REFERENCES roles(id),
    applies_to TEXT NOT NULL, when_json TEXT NOT NULL, action TEXT NOT NULL, approver_role TEXT, message TEXT,
    CHECK ((developer_id IS NULL) <> (role_id IS NULL)));
  CREATE TABLE usage_events (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), time_ms BIGINT NOT NULL,
    provider TEXT NOT NULL, model TEXT, workflow TEXT, currency TEXT NOT NULL, cost_micros BIGINT NOT NULL,
    input_tokens BIGINT, output_tokens BIGINT, cache_read_tokens BIGINT, cache_write_tokens BIGINT,
    total_tokens BIGINT, estimated INTEGER NOT NULL DEFAULT 0, dedupe_key TEXT NOT NULL UNIQUE);
  CREATE INDEX usage_developer_time ON usage_events(developer_id, time_ms);
  CREATE TABLE session_tags (
    developer_id TEXT NOT NULL REFERENCES developers(id), id TEXT NOT NULL, workflow TEXT NOT NULL,
    started_ms BIGINT NOT NULL, ended_ms BIGINT, tool TEXT, workspace TEXT, labels TEXT,
    created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, PRIMARY KEY (developer_id, id));
  CREATE INDEX session_tags_start ON session_tags(developer_id, started_ms);
  CREATE TABLE idempotency (
    developer_id TEXT NOT NULL, route TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,
    status INTEGER NOT NULL, headers TEXT NOT NULL, body TEXT NOT NULL, created_ms BIGINT NOT NULL,
    PRIMARY KEY (developer_id, route, key));
  CREATE INDEX idempotency_created ON idempotency(created_ms);
  CREATE TABLE reservations (
    id TEXT PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), band_id TEXT NOT NULL,
    currency TEXT NOT NULL, amount_micros BIGINT NOT NULL, client_run_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL);
  CREATE INDEX reservations_developer ON reservations(developer_id, expires_ms);
  CREATE TABLE preflights (
    developer_id TEXT NOT NULL REFERENCES developers(id), client_run_id TEXT NOT NULL, body_hash TEXT NOT NULL,
    decision TEXT NOT NULL, request_id TEXT, settled INTEGER NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, PRIMARY KEY (developer_id, client_run_id));
  CREATE TABLE requests (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, developer_id TEXT NOT NULL REFERENCES developers(id),
    kind TEXT NOT NULL, status TEXT NOT NULL, band_id TEXT, body TEXT NOT NULL, band_snapshot TEXT,
    created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, expires_ms BIGINT, resolution TEXT,
    revision INTEGER NOT NULL DEFAULT 1);
  CREATE INDEX requests_developer ON requests(developer_id, seq);
  CREATE TABLE increases (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, developer_id TEXT NOT NULL REFERENCES developers(id), band_id TEXT NOT NULL,
    currency TEXT NOT NULL, amount_micros BIGINT NOT NULL, from_ms BIGINT NOT NULL, until_ms BIGINT NOT NULL,
    request_id TEXT);
  CREATE INDEX increases_developer ON increases(developer_id, until_ms);
  `,
  },
  // OTLP ingest (otlpStore.ts): sessions that sent per-request events, and the metric points seen
  // (a re-sent batch counts once; a cumulative series is turned into deltas from its last point).
  {
    sqlite: `
  CREATE TABLE otlp_sessions (
    developer_id TEXT NOT NULL REFERENCES developers(id), session_id TEXT NOT NULL, first_ms INTEGER NOT NULL,
    PRIMARY KEY (developer_id, session_id)) WITHOUT ROWID;
  CREATE TABLE otlp_points (
    developer_id TEXT NOT NULL REFERENCES developers(id), series TEXT NOT NULL, start_ns TEXT NOT NULL, time_ns TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (developer_id, series, start_ns, time_ns)) WITHOUT ROWID;
  `,
    postgres: `
  CREATE TABLE otlp_sessions (
    developer_id TEXT NOT NULL REFERENCES developers(id), session_id TEXT NOT NULL, first_ms BIGINT NOT NULL,
    PRIMARY KEY (developer_id, session_id));
  CREATE TABLE otlp_points (
    developer_id TEXT NOT NULL REFERENCES developers(id), series TEXT NOT NULL, start_ns TEXT NOT NULL, time_ns TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL, PRIMARY KEY (developer_id, series, start_ns, time_ns));
  `,
  },
  // Tokens can expire (issue #20); NULL = no expiry, as for every token issued before.
  {
    sqlite: `ALTER TABLE tokens ADD COLUMN expires_ms INTEGER;`,
    postgres: `ALTER TABLE tokens ADD COLUMN expires_ms BIGINT;`,
  },
  // OTLP delta points are kept only while an exporter could re-send them (otlpStore.ts purgeOtlpPoints);
  // a cumulative series keeps its latest point for good. Rows from before this step count as delta.
  {
    sqlite: `ALTER TABLE otlp_points ADD COLUMN cumulative INTEGER NOT NULL DEFAULT 0;`,
    postgres: `ALTER TABLE otlp_points ADD COLUMN cumulative INTEGER NOT NULL DEFAULT 0;`,
  },
  // Step 6, the team review (teamReviewStore.ts): each developer belongs to one team (an admin token reviews
  // its developer's team), and an approved increase can carry the result it achieved.
  {
    sqlite: `
  ALTER TABLE developers ADD COLUMN team_id TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX developers_team ON developers(team_id);
  ALTER TABLE requests ADD COLUMN outcome_result TEXT;
  ALTER TABLE requests ADD COLUMN outcome_recorded_ms INTEGER;
  `,
    postgres: `
  ALTER TABLE developers ADD COLUMN team_id TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX developers_team ON developers(team_id);
  ALTER TABLE requests ADD COLUMN outcome_result TEXT;
  ALTER TABLE requests ADD COLUMN outcome_recorded_ms BIGINT;
  `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrationsFor(dialect: keyof Migration): string[] {
  return MIGRATIONS.map((m) => m[dialect]);
}

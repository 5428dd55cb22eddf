// Developer bearer tokens: 32 random bytes, shown once, stored only as a SHA-256 hash. Tokens are
// high-entropy, so a fast hash is enough (no password stretching needed); the raw token is never kept.
import { createHash, randomBytes } from 'node:crypto';

/** A developer's scopes: what a token gets unless --scopes says otherwise. */
export const ALL_SCOPES = [
  'bands:read',
  'usage:read',
  'tags:write',
  'preflight:write',
  'requests:write',
  'usage:write',
] as const;
/** Admin scopes, given only when named: team:review reads the review of the token's developer's team. */
export const ADMIN_SCOPES = ['team:review'] as const;
export const KNOWN_SCOPES = [...ALL_SCOPES, ...ADMIN_SCOPES] as const;
export type Scope = (typeof KNOWN_SCOPES)[number];

const TOKEN_PREFIX = 'sbt_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The token from `Authorization: Bearer …`, or undefined when absent or not a bearer. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,512})[ \t]*$/i.exec(header);
  return match?.[1];
}

export function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const scope of scopes) {
    if (!(KNOWN_SCOPES as readonly string[]).includes(scope)) {
      throw new RangeError(`unknown scope "${scope}"; use some of ${KNOWN_SCOPES.join(', ')}`);
    }
  }
  return scopes as Scope[];
}

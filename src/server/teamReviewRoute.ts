// GET /v1/team/review and /v1/team/review.html: the team review for a token with the team:review
// scope. The team is the token's developer's team, never a parameter a caller could change: an admin
// of another team asking for this one (`team=…`) is refused, and sees nothing of it.
import { ProblemError } from './problem';
import { jsonReply, type Call, type Reply } from './routeContext';
import { gatherTeamReview } from './teamReviewStore';
import { teamReviewHtml } from '../domain/teamReviewHtml';

function badParam(parameter: string, detail: string): ProblemError {
  return new ProblemError(400, 'invalid_request', `Query parameter ${parameter}: ${detail}.`, [{ parameter, detail }]);
}

async function reviewOf(call: Call) {
  const { ctx, principal, query } = call;
  const period = query.get('period') ?? 'month';
  if (period !== 'week' && period !== 'month') throw badParam('period', 'week or month');
  const date = query.get('date');
  if (date !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))))
    throw badParam('date', 'a day YYYY-MM-DD inside the period to review (default: the last complete one)');
  const row = await ctx.db.get<{ team_id: string }>('SELECT team_id FROM developers WHERE id = ?', [
    principal.developerId,
  ]);
  if (!row)
    throw new ProblemError(
      401,
      'authentication',
      'The developer of this token no longer exists. Ask your admin for a new token.',
    );
  const asked = query.get('team');
  if (asked !== null && asked !== row.team_id) {
    throw new ProblemError(
      403,
      'permission',
      `This token reviews team ${row.team_id} only; ask an admin of team ${asked.slice(0, 100)} for its review.`,
    );
  }
  return gatherTeamReview(ctx.db, {
    team: row.team_id,
    period,
    at: date === null ? undefined : new Date(`${date}T12:00:00Z`),
    now: call.now,
  });
}

export async function getTeamReview(call: Call): Promise<Reply> {
  return jsonReply(200, await reviewOf(call));
}

export async function getTeamReviewHtml(call: Call): Promise<Reply> {
  const html = teamReviewHtml(await reviewOf(call));
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    },
    body: html,
  };
}

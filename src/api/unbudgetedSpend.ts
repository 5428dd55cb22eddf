// Spend a source reports with no limit on it (LiteLLM `max_budget: null`, OpenRouter `limit: null`).
// A band needs an allocation, and inventing one would show a made-up gauge; so this spend travels next
// to the document instead, and the UI shows it as "$12.34 this month, no limit set".
import { z } from 'zod';
import { MoneySchema, PeriodSchema } from '../domain/schemas';

export const UnbudgetedSpendSchema = z.object({
  id: z.string().min(1),
  /** e.g. "LiteLLM key sk-...abcd (no budget)" */
  label: z.string(),
  /** which budget layer this is: key, user, team, team_member, … (open) */
  scope: z.string(),
  provider: z.string(),
  used: MoneySchema,
  /** the span `used` covers when the source says so (e.g. this UTC month); absent = lifetime */
  period: PeriodSchema.optional(),
  as_of: z.iso.datetime({ offset: true }),
});
export type UnbudgetedSpend = z.infer<typeof UnbudgetedSpendSchema>;

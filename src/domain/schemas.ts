// The executable form of Bands API v1 (docs/contract/bands-api-v1.md).
// Where this file and the contract disagree, fix one of them in the same change.
// Unknown object keys are stripped (additive evolution); OPEN enums are plain strings so that a
// newer server's workflow classes, reason codes and outcome kinds are accepted and rendered.
import { z } from 'zod';

/** An OPEN enum: any non-empty string; `known` documents (and types) the values we render specially. */
function openEnum<const T extends readonly string[]>(known: T) {
  return z
    .string()
    .min(1)
    .max(200)
    .describe(`one of ${known.join(', ')} or a newer value`) as unknown as z.ZodType<T[number] | (string & {})>;
}

const dateTime = z.iso.datetime({ offset: true });
const date = z.iso.date();

export const MoneySchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  amount_micros: z.number().int('an integer number of micros').refine(Number.isSafeInteger, 'a safe integer'),
});
export type Money = z.infer<typeof MoneySchema>;

export const KNOWN_WORKFLOWS = ['light_assist', 'deep_coding', 'review', 'research', 'background_automation'] as const;
export const WorkflowClassSchema = openEnum(KNOWN_WORKFLOWS);
export type WorkflowClassId = z.infer<typeof WorkflowClassSchema>;
export { ALL_WORKFLOWS } from './workflowClasses';

export const PeriodSchema = z.object({
  interval: z.string().min(1),
  start: dateTime,
  end: dateTime,
  timezone: z.string().optional(),
});
export type Period = z.infer<typeof PeriodSchema>;

export const ThresholdSchema = z.object({
  percent: z.number().int().min(1).max(1000),
  severity: z.enum(['info', 'warn', 'critical']),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

export const UsageSourceSchema = z.object({
  provider: openEnum(['litellm', 'openrouter', 'github_copilot', 'anthropic', 'openai', 'cursor', 'local_logs']),
  used: MoneySchema,
  as_of: dateTime,
  estimated: z.boolean().optional(),
});
export type UsageSource = z.infer<typeof UsageSourceSchema>;

export const BandStatusSchema = z.enum(['ok', 'warn', 'critical', 'exceeded']);
export type BandStatus = z.infer<typeof BandStatusSchema>;

export const EnforcementSchema = z.enum(['none', 'soft', 'hard']);
export type Enforcement = z.infer<typeof EnforcementSchema>;

export const TemporaryIncreaseSchema = z.object({
  amount: MoneySchema,
  until: dateTime,
  request_id: z.string().optional(),
  /** Not in the wire contract: set by the local ledger for increases the developer granted themselves. */
  self_set: z.boolean().optional(),
});
export type TemporaryIncrease = z.infer<typeof TemporaryIncreaseSchema>;

export const BandSchema = z.object({
  id: z.string().min(1),
  workflow: WorkflowClassSchema,
  label: z.string().optional(),
  period: PeriodSchema,
  allocated: MoneySchema,
  used: MoneySchema,
  reserved: MoneySchema.optional(),
  remaining: MoneySchema,
  enforcement: EnforcementSchema,
  thresholds: z.array(ThresholdSchema),
  status: BandStatusSchema,
  as_of: dateTime,
  sources: z.array(UsageSourceSchema).optional(),
  temporary_increase: TemporaryIncreaseSchema.nullable().optional(),
});
export type Band = z.infer<typeof BandSchema>;

export const IncludedQuotaSchema = z.object({
  unit: z.string(),
  quantity: z.number(),
  used: z.number().nullable().optional(),
  resets_at: dateTime.nullable().optional(),
  as_of: dateTime.nullable().optional(),
  overage_permitted: z.boolean().optional(),
});

export const SeatItemSchema = z.object({
  id: z.string().min(1),
  vendor: openEnum(['github', 'anthropic', 'cursor', 'openai']),
  product: z.string().min(1),
  plan: z.string().optional(),
  cost: MoneySchema,
  cost_period: z.string().optional(),
  included_quotas: z.array(IncludedQuotaSchema).optional(),
  source: z.string().optional(),
});
export type SeatItem = z.infer<typeof SeatItemSchema>;

export const EscalationActionSchema = z.enum(['warn', 'needs_approval', 'deny']);
export type EscalationAction = z.infer<typeof EscalationActionSchema>;

export const EscalationRuleSchema = z.object({
  id: z.string().min(1),
  applies_to: z.array(WorkflowClassSchema).optional(),
  when: z
    .object({
      estimate_at_least: MoneySchema.optional(),
      remaining_percent_after_below: z.number().int().optional(),
      max_duration_above: z.string().optional(),
      max_iterations_above: z.number().int().optional(),
    })
    .optional(),
  action: EscalationActionSchema,
  approver_role: z.string().optional(),
  message: z.string().optional(),
});
export type EscalationRule = z.infer<typeof EscalationRuleSchema>;

export const EscalationPolicySchema = z.object({
  per_run_cap: MoneySchema.optional(),
  max_duration: z.string().optional(),
  max_iterations: z.number().int().optional(),
  rules: z.array(EscalationRuleSchema),
});
export type EscalationPolicy = z.infer<typeof EscalationPolicySchema>;

export const CapabilitiesSchema = z.object({
  session_tags: z.boolean().optional(),
  preflight: z.boolean().optional(),
  increase_requests: z.boolean().optional(),
  usage_history: z.boolean().optional(),
  /** reference-server extension (README): POST /v1/me/preflight?dry_run=true decides without reserving */
  preflight_dry_run: z.boolean().optional(),
  /** reference-server extension (README): POST /v1/me/reservations/{id}/release gives a reservation back */
  reservation_release: z.boolean().optional(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const BandsDocumentSchema = z.object({
  developer: z.object({ id: z.string().min(1), display_name: z.string().optional(), email: z.string().optional() }),
  role: z.object({ id: z.string().min(1), label: z.string().optional() }),
  seats: z.array(SeatItemSchema),
  bands: z.array(BandSchema),
  escalation: EscalationPolicySchema,
  capabilities: CapabilitiesSchema,
  generated_at: dateTime,
});
export type BandsDocument = z.infer<typeof BandsDocumentSchema>;

export const TokenCountsSchema = z.object({
  input: z.number().int().nonnegative().optional(),
  output: z.number().int().nonnegative().optional(),
  cache_read: z.number().int().nonnegative().optional(),
  cache_write: z.number().int().nonnegative().optional(),
});
export type TokenCounts = z.infer<typeof TokenCountsSchema>;

export const UsageResultSchema = z.object({
  workflow: z.string().nullable().optional(),
  provider: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  band_id: z.string().nullable().optional(),
  cost: MoneySchema,
  tokens: TokenCountsSchema.optional(),
  requests: z.number().int().optional(),
  estimated: z.boolean().optional(),
});
export type UsageResult = z.infer<typeof UsageResultSchema>;

export const UsagePageSchema = z.object({
  data: z.array(z.object({ start: dateTime, end: dateTime, results: z.array(UsageResultSchema) })),
  next_cursor: z.string().nullable(),
  as_of: dateTime.optional(),
});
export type UsagePage = z.infer<typeof UsagePageSchema>;

export const SessionTagSchema = z.object({
  id: z.uuid(),
  workflow: WorkflowClassSchema,
  started_at: dateTime,
  ended_at: dateTime.nullable().optional(),
  tool: z.object({ name: z.string().max(200).optional(), version: z.string().max(200).optional() }).optional(),
  workspace: z.object({ repo: z.string().max(500).optional(), branch: z.string().max(500).optional() }).optional(),
  labels: z
    .record(z.string().max(100), z.string().max(500))
    .refine((labels) => Object.keys(labels).length <= 16, 'at most 16 labels')
    .optional(),
});
export type SessionTag = z.infer<typeof SessionTagSchema>;

export const MAX_BATCH_ITEMS = 500;
export const SessionTagBatchSchema = z.object({ items: z.array(SessionTagSchema).min(1).max(MAX_BATCH_ITEMS) });
export type SessionTagBatch = z.infer<typeof SessionTagBatchSchema>;

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  request_id: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string().optional(), detail: z.string().optional() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const SessionTagBatchResultSchema = z.object({
  accepted: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), problem: ProblemSchema })),
});
export type SessionTagBatchResult = z.infer<typeof SessionTagBatchResultSchema>;

export const EstimateSchema = z.object({
  cost: MoneySchema,
  basis: z.enum(['tokens', 'history', 'user_supplied']).optional(),
  confidence: z.enum(['low', 'medium', 'high']).optional(),
  model: z.string().optional(),
  tokens: z.object({ input: z.number().int().optional(), output: z.number().int().optional() }).optional(),
});
export type Estimate = z.infer<typeof EstimateSchema>;

export const PreflightRequestSchema = z.object({
  client_run_id: z.uuid(),
  workflow: WorkflowClassSchema,
  estimate: EstimateSchema,
  limits: z
    .object({
      max_cost: MoneySchema.optional(),
      max_duration: z.string().optional(),
      max_iterations: z.number().int().optional(),
    })
    .optional(),
  run: z
    .object({
      tool: z.string().max(200).optional(),
      description: z.string().max(500).optional(),
      repo: z.string().max(500).optional(),
    })
    .optional(),
});
export type PreflightRequest = z.infer<typeof PreflightRequestSchema>;

export const DecisionSchema = z.enum(['allow', 'warn', 'needs_approval', 'deny']);
export type Decision = z.infer<typeof DecisionSchema>;

export const RequestStatusSchema = z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired']);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;

export const PreflightDecisionSchema = z.object({
  decision: DecisionSchema,
  reason_code: openEnum([
    'within_band',
    'near_threshold',
    'over_run_cap',
    'band_exhausted',
    'policy_rule',
    'no_band',
    'over_soft_band',
  ]),
  reason: z.string(),
  band_id: z.string().optional(),
  rule_id: z.string().nullable().optional(),
  projected: z
    .object({
      used_after: MoneySchema.optional(),
      remaining_after: MoneySchema.optional(),
      percent_after: z.number().optional(),
    })
    .optional(),
  reservation: z.object({ id: z.string(), amount: MoneySchema, expires_at: dateTime }).nullable().optional(),
  approval: z
    .object({ request_id: z.string(), status: RequestStatusSchema, href: z.string().optional() })
    .nullable()
    .optional(),
  valid_until: dateTime,
});
export type PreflightDecision = z.infer<typeof PreflightDecisionSchema>;

export const KNOWN_OUTCOMES = [
  'faster_review',
  'shorter_lead_time',
  'lower_incident_load',
  'maintenance_throughput',
] as const;
export const OutcomeKindSchema = openEnum(KNOWN_OUTCOMES);

export const OutcomeSchema = z.object({
  kind: OutcomeKindSchema,
  metric: z.string().max(200).optional(),
  baseline: z.number().optional(),
  target: z.number().optional(),
  unit: z.string().max(50).optional(),
  review_at: date.optional(),
  evidence: z.array(z.url()).max(20).optional(),
});
export type Outcome = z.infer<typeof OutcomeSchema>;

export const RequestedAmountSchema = z
  .object({ new_allocated: MoneySchema.optional(), delta: MoneySchema.optional() })
  .refine((r) => (r.new_allocated === undefined) !== (r.delta === undefined), 'exactly one of new_allocated or delta');
export type RequestedAmount = z.infer<typeof RequestedAmountSchema>;

export const RequestScopeSchema = z.enum(['current_period', 'next_period', 'until_date']);
export type RequestScope = z.infer<typeof RequestScopeSchema>;

export const IncreaseRequestCreateSchema = z
  .object({
    band_id: z.string().min(1).max(200),
    requested: RequestedAmountSchema,
    scope: RequestScopeSchema,
    until: date.optional(),
    justification: z.string().min(20).max(2000),
    outcome: OutcomeSchema,
  })
  .refine((r) => r.scope !== 'until_date' || r.until !== undefined, {
    message: 'until is required with scope until_date',
    path: ['until'],
  });
export type IncreaseRequestCreate = z.infer<typeof IncreaseRequestCreateSchema>;

export const RequestSchema = z.object({
  id: z.string().min(1),
  kind: openEnum(['band_increase', 'run_approval']),
  status: RequestStatusSchema,
  created_at: dateTime,
  updated_at: dateTime,
  band_id: z.string().optional(),
  requested: z.record(z.string(), z.unknown()).optional(),
  outcome: z.record(z.string(), z.unknown()).optional(),
  justification: z.string().optional(),
  scope: z.string().optional(),
  until: z.string().nullable().optional(),
  preflight: PreflightRequestSchema.optional(),
  band_snapshot: BandSchema.optional(),
  resolution: z
    .object({
      decided_by: z.object({ id: z.string().optional(), display_name: z.string().optional() }).optional(),
      decided_at: dateTime.optional(),
      approved: MoneySchema.optional(),
      effective_until: dateTime.nullable().optional(),
      note: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export type Request = z.infer<typeof RequestSchema>;

export const RequestListSchema = z.object({ data: z.array(RequestSchema), next_cursor: z.string().nullable() });
export type RequestList = z.infer<typeof RequestListSchema>;

/** `zod` error → one line naming every failing JSON path, e.g. `bands[0].allocated.amount_micros: expected integer`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

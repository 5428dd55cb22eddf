// Where a spend figure comes from, said the same way in the tooltip and in JSON:
//   - `official`: the endpoint (or a provider's billing API) reports it as billed;
//   - `metered`: counted from the agent logs on this machine and priced from the price table — an
//     estimate (list prices, no discounts, the log's token counts);
//   - `agent_report`: the agent's own figure (Claude Code's statusLine cost, OTLP events it sends).
// Pure.
import type { Band } from './schemas';

export type Provenance = 'official' | 'metered' | 'agent_report';

export interface FigureProvenance {
  provenance: Provenance;
  /** not a billed amount: metered, or marked estimated by its source */
  estimated: boolean;
  /** when the figure was true */
  as_of: string;
}

/** The provenance of a band's `used` figure, from its sources (a band without sources is the endpoint's own figure). */
export function bandProvenance(band: Band): FigureProvenance {
  const sources = band.sources ?? [];
  const metered = sources.some((s) => s.provider === 'local_logs');
  const estimated = metered || sources.some((s) => s.estimated === true);
  return { provenance: metered ? 'metered' : 'official', estimated, as_of: band.as_of };
}

export function provenanceText(p: FigureProvenance): string {
  if (p.provenance === 'metered') return 'metered from the agent logs on this machine (estimated at list prices)';
  if (p.provenance === 'agent_report') return "the agent's own report";
  return p.estimated ? 'from the endpoint (partly estimated by it)' : 'from the endpoint (official)';
}

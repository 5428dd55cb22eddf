// Every spend figure says where it comes from, in the gauge's tooltip as in JSON (domain/provenance.ts).
import assert from 'node:assert/strict';
import { localBandsDocument } from '../../../src/domain/localConfig';
import { bandProvenance } from '../../../src/domain/provenance';
import type { BandsDocument } from '../../../src/domain/schemas';
import { statusBarModel, type SnapshotView } from '../../../src/domain/statusBarModel';
import { DEFAULT_WORKFLOW_CLASSES } from '../../../src/domain/workflowClasses';
import { makeBand } from '../domain/makeBand';

const NOW = new Date('2026-11-21T12:00:00Z');
const full = { mode: 'full' as const, display: 'money' as const, loading: false };

function view(document: BandsDocument, source: SnapshotView['source']): SnapshotView {
  return { source, document, stale: false, fetchedAt: NOW.toISOString(), error: undefined };
}

describe('provenance of the used figure', () => {
  it('local bands: metered from the logs, estimated, in the tooltip and in the band', () => {
    const doc = localBandsDocument({ bands: [{ workflow: 'review', allocated_usd: 40 }] }, NOW, {
      usedByWorkflow: new Map([['review', 3_000_000]]),
      asOf: NOW,
      provider: 'local_logs',
    });
    assert.deepEqual(bandProvenance(doc.bands[0]!), {
      provenance: 'metered',
      estimated: true,
      as_of: NOW.toISOString(),
    });
    const m = statusBarModel(view(doc, 'local'), 'review', DEFAULT_WORKFLOW_CLASSES, full, NOW);
    assert.match(
      m.gauge.tooltip,
      /Figures: metered from the agent logs on this machine \\?\(estimated at list prices\\?\)/,
    );
  });

  it("an endpoint's band: official, unless its sources say estimated", () => {
    const official = makeBand({
      id: 'b',
      workflow: 'deep_coding',
      used: 1_000_000,
      allocated: 2_000_000,
      status: 'ok',
    });
    assert.equal(bandProvenance(official).provenance, 'official');
    assert.equal(bandProvenance(official).estimated, false);
    const doc: BandsDocument = {
      developer: { id: 'u' },
      role: { id: 'r' },
      seats: [],
      bands: [official],
      escalation: { rules: [] },
      capabilities: {},
      generated_at: NOW.toISOString(),
    };
    const m = statusBarModel(view(doc, 'endpoint'), 'deep_coding', DEFAULT_WORKFLOW_CLASSES, full, NOW);
    assert.match(m.gauge.tooltip, /Figures: from the endpoint \\?\(official\\?\)/);
    const partly = {
      ...official,
      sources: [{ provider: 'anthropic', used: official.used, as_of: official.as_of, estimated: true }],
    };
    assert.deepEqual([bandProvenance(partly).provenance, bandProvenance(partly).estimated], ['official', true]);
  });
});

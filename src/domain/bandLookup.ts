import { ALL_WORKFLOWS, type Band } from './schemas';

/**
 * The band that governs `workflow`: its own class band, else the `all` band (a per-key budget covers
 * every class). Where both exist the class band is the one for that class; the `all` band is the ceiling.
 */
export function bandForWorkflow(bands: readonly Band[], workflow: string): Band | undefined {
  return bands.find((b) => b.workflow === workflow) ?? bands.find((b) => b.workflow === ALL_WORKFLOWS);
}

/** The `all` band, when the source keeps one budget over every class. */
export function ceilingBand(bands: readonly Band[]): Band | undefined {
  return bands.find((b) => b.workflow === ALL_WORKFLOWS);
}

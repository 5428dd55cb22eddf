// What the feature modules (pre-flight, requests, report) get from the composition root. One interface,
// so each feature is wired in services.ts with one call and tested through the real extension.
import type * as vscode from 'vscode';
import type { BandsClient } from '../api/bandsClient';
import type { WorkflowSession } from '../domain/session';
import type { WorkflowClass } from '../domain/workflowClasses';
import type { UsageSnapshot } from '../usage/usageSnapshot';
import type { BandsSnapshot } from './bandsService';
import type { Config } from './config';

export interface FeatureDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  config: Config;
  /** the bands every view renders */
  snapshot(): BandsSnapshot | undefined;
  onDidChangeSnapshot: vscode.Event<void>;
  /** a client for the connected Bands API v1 endpoint (undefined for local/LiteLLM/OpenRouter or no token); close() it after use */
  client(): Promise<BandsClient | undefined>;
  refreshBands(): Promise<void>;
  currentWorkflow(): string;
  /** switch the workflow class (starts a new tagged session) */
  setWorkflow(workflow: string, origin: WorkflowSession['origin']): void;
  sessions(): readonly WorkflowSession[];
  classes(): readonly WorkflowClass[];
  /** local metering (Claude Code, Codex logs); undefined when disabled or not scanned yet */
  usageSnapshot(): Promise<UsageSnapshot | undefined>;
  /** open the band-increase flow (issue #8), pre-selecting a band */
  requestIncrease(bandId?: string): Promise<void>;
}

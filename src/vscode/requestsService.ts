// The developer's requests (band increases, run approvals): listed with the bands, submitted through an
// outbox that survives failures and reloads, followed by polling pending ones with ETag and backoff, and
// announced once when approved or denied (then the bands refresh). In local mode the ledger of self-set
// increases stands in for the endpoint.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ApiError } from '../api/apiError';
import type { BandsClient } from '../api/bandsClient';
import { bandLabel } from '../domain/format';
import { resolutionMessage } from '../domain/increaseRequest';
import type { IncreaseRequestCreate, Request } from '../domain/schemas';
import type { BandsService } from './bandsService';
import { LocalLedger, RequestOutbox, type LedgerEntry } from '../flows/requests/requestOutbox';
import type { RequestsSource } from './requestsTree';
import { readState, writeState } from './storageKeys';
import { showErrorMessage, showInformationMessage, showWarningMessage } from './notify';

const POLL_STEPS_MS = [15_000, 30_000, 60_000, 120_000, 300_000];

/** Failures worth retrying later; anything else (invalid, conflict, unauthorized) is reported now. */
function isTransient(error: unknown): boolean {
  return error instanceof ApiError && ['offline', 'timeout', 'server', 'rateLimited'].includes(error.kind);
}

export class RequestsService implements RequestsSource, vscode.Disposable {
  private list: Request[] = [];
  private unsentList: { key: string; bandId: string; summary: string }[] = [];
  private readonly etags = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private lastFetch: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollStep = 0;
  private disposed = false;
  readonly outbox: RequestOutbox;
  readonly ledger: LocalLedger;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly bands: BandsService,
    private readonly client: () => Promise<BandsClient | undefined>,
    storageDir: string,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.outbox = new RequestOutbox(`${storageDir}/requests-outbox.json`);
    this.ledger = new LocalLedger(`${storageDir}/local-requests.json`);
    this.subscription = bands.onDidChange(() => {
      const fetchedAt = bands.snapshot?.fetchedAt;
      if (fetchedAt && fetchedAt !== this.lastFetch && !bands.loading) {
        this.lastFetch = fetchedAt;
        void this.refresh();
      }
    });
  }

  get requests(): readonly Request[] {
    return this.list;
  }

  get unsent(): readonly { key: string; bandId: string; summary: string }[] {
    return this.unsentList;
  }

  /** A band's label for messages and rows ("Deep coding" rather than b_deep_coding). */
  bandName(id: string): string {
    const band = this.bands.snapshot?.document?.bands.find((b) => b.id === id);
    return band ? bandLabel(band) : id;
  }

  private isLocal(): boolean {
    return this.bands.snapshot?.source === 'local';
  }

  /** List requests (endpoint) or the ledger (local), send what the outbox holds, and poll what is pending. */
  async refresh(): Promise<void> {
    await this.loadUnsent();
    if (this.isLocal()) {
      this.list = await this.ledger.entries();
      this.emitter.fire();
      return;
    }
    const client = await this.client();
    if (!client) {
      if (this.list.length > 0) {
        this.list = [];
        this.emitter.fire();
      }
      return;
    }
    try {
      await this.flushOutbox(client);
      const page = await client.listRequests({ limit: 50 });
      this.announceChanges(page.data);
      this.list = page.data;
      this.emitter.fire();
      this.schedulePoll(true);
    } catch (error) {
      this.log.warn(`Could not list requests: ${(error as Error).message}`);
    } finally {
      await client.close();
    }
  }

  private async loadUnsent(): Promise<void> {
    const entries = await this.outbox.entries();
    this.unsentList = entries.map((e) => ({
      key: e.key,
      bandId: e.body.band_id,
      summary: `Increase ${e.body.requested.delta ? `+$${e.body.requested.delta.amount_micros / 1e6}` : `→ $${(e.body.requested.new_allocated?.amount_micros ?? 0) / 1e6}`} · ${this.bandName(e.body.band_id)}`,
    }));
  }

  /**
   * Submit a request: recorded in the outbox with its Idempotency-Key first, then sent. Returns the
   * created request, or undefined when it was kept to send later (offline); throws for a refusal.
   */
  async submit(body: IncreaseRequestCreate): Promise<Request | undefined> {
    const key = `incr-${randomUUID()}`;
    await this.outbox.add({ key, body, createdAt: new Date().toISOString(), attempts: 0 });
    await this.loadUnsent();
    this.emitter.fire();
    const client = await this.client();
    if (!client) return undefined;
    try {
      return await this.send(client, key, body);
    } finally {
      await client.close();
      await this.loadUnsent();
      this.emitter.fire();
    }
  }

  private async send(client: BandsClient, key: string, body: IncreaseRequestCreate): Promise<Request | undefined> {
    try {
      const created = await client.createRequest(body, key);
      await this.outbox.remove(key);
      if (created.etag) this.etags.set(created.request.id, created.etag);
      this.list = [created.request, ...this.list.filter((r) => r.id !== created.request.id)];
      this.log.info(`Request ${created.request.id} filed for ${body.band_id} (${created.request.status}).`);
      this.schedulePoll(true);
      return created.request;
    } catch (error) {
      if (isTransient(error)) {
        await this.outbox.failed(key, (error as Error).message);
        this.log.warn(`Request for ${body.band_id} kept to send later: ${(error as Error).message}`);
        return undefined;
      }
      await this.outbox.remove(key);
      throw error;
    }
  }

  private async flushOutbox(client: BandsClient): Promise<void> {
    for (const entry of await this.outbox.entries()) {
      try {
        const sent = await this.send(client, entry.key, entry.body);
        if (sent)
          void showInformationMessage(
            `Spend Band: your increase request for ${this.bandName(entry.body.band_id)} was sent (it could not be sent earlier).`,
          );
        else break;
      } catch (error) {
        void showErrorMessage(
          `Spend Band: the endpoint refused your saved increase request for ${this.bandName(entry.body.band_id)}: ${(error as Error).message}`,
        );
      }
    }
  }

  async cancel(id: string): Promise<void> {
    const client = await this.client();
    if (!client) throw new Error('Cancelling needs the connected endpoint.');
    try {
      const request = await client.cancelRequest(id);
      this.list = this.list.map((r) => (r.id === id ? request : r));
      this.emitter.fire();
    } finally {
      await client.close();
    }
  }

  /** Record a self-set increase in the local ledger (local mode). */
  async recordLocal(entry: LedgerEntry): Promise<void> {
    await this.ledger.add(entry);
    this.list = await this.ledger.entries();
    this.emitter.fire();
  }

  private schedulePoll(reset: boolean): void {
    if (this.disposed) return;
    if (reset) this.pollStep = 0;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (!this.list.some((r) => r.status === 'pending')) return;
    const delay = POLL_STEPS_MS[Math.min(this.pollStep, POLL_STEPS_MS.length - 1)]!;
    this.pollTimer = setTimeout(() => void this.poll(), delay);
  }

  /** Poll each pending request with its ETag; a change resets the backoff, silence lengthens it. */
  async poll(): Promise<void> {
    const client = await this.client();
    if (!client) return;
    let changed = false;
    try {
      for (const pending of this.list.filter((r) => r.status === 'pending')) {
        const answer = await client.getRequest(pending.id, { etag: this.etags.get(pending.id) });
        if ('notModified' in answer) continue;
        if (answer.etag) this.etags.set(pending.id, answer.etag);
        if (answer.request.status !== pending.status || answer.request.updated_at !== pending.updated_at) {
          changed = true;
          this.announceChanges([answer.request]);
          this.list = this.list.map((r) => (r.id === pending.id ? answer.request : r));
        }
      }
    } catch (error) {
      this.log.debug(`Polling requests: ${(error as Error).message}`);
    } finally {
      await client.close();
    }
    if (changed) this.emitter.fire();
    this.pollStep = changed ? 0 : this.pollStep + 1;
    this.schedulePoll(false);
  }

  /** Announce each approval or denial once (remembered across windows and restarts). */
  private announceChanges(requests: readonly Request[]): void {
    const announced = new Set(readState(this.state, 'announcedRequests') ?? []);
    let approved = false;
    for (const r of requests) {
      if (r.status === 'pending' || r.status === 'cancelled') continue;
      const key = `${r.id}:${r.status}`;
      if (announced.has(key)) continue;
      announced.add(key);
      const known = this.list.find((x) => x.id === r.id);
      // Only what the developer saw pending in this window, or resolved in the last day, is news.
      if (!known && Date.now() - Date.parse(r.updated_at) > 86_400_000) continue;
      const message = resolutionMessage(r, (id) => this.bandName(id));
      if (!message) continue;
      if (r.status === 'approved') {
        approved = true;
        void showInformationMessage(`Spend Band: ${message}`, 'Open View').then(
          (c) => c && vscode.commands.executeCommand('spendBand.openView'),
        );
      } else {
        void showWarningMessage(`Spend Band: ${message}`, 'Open View').then(
          (c) => c && vscode.commands.executeCommand('spendBand.openView'),
        );
      }
    }
    void writeState(this.state, 'announcedRequests', [...announced].slice(-500));
    if (approved) void this.bands.refresh('request approved');
  }

  dispose(): void {
    this.disposed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

// The developer's requests (band increases, run approvals), refreshed with the bands when the endpoint
// takes requests. Issue #8 builds the request flow and its polling on top of this.
import * as vscode from 'vscode';
import type { Request } from '../domain/schemas';
import type { BandsClient } from '../api/bandsClient';
import type { BandsService } from './bandsService';
import type { RequestsSource } from './requestsTree';

export class RequestsService implements RequestsSource, vscode.Disposable {
  private list: Request[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private lastFetch: string | undefined;
  readonly onDidChange = this.emitter.event;
  readonly unsent: readonly { key: string; bandId: string; summary: string }[] = [];

  constructor(
    bands: BandsService,
    private readonly client: () => Promise<BandsClient | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {
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

  async refresh(): Promise<void> {
    const client = await this.client();
    if (!client) {
      if (this.list.length > 0) {
        this.list = [];
        this.emitter.fire();
      }
      return;
    }
    try {
      const page = await client.listRequests({ limit: 50 });
      this.list = page.data;
      this.emitter.fire();
    } catch (error) {
      this.log.warn(`Could not list requests: ${(error as Error).message}`);
    } finally {
      await client.close();
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

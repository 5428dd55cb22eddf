// Tokens live in SecretStorage only, keyed by the endpoint's origin: a token stored for one endpoint is
// never sent to another (changing the URL to another host needs a new token).
import type * as vscode from 'vscode';
import { tokenSecretKey } from './storageKeys';

export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class TokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(origin: string): string {
    return tokenSecretKey(origin);
  }

  async get(url: string): Promise<string | undefined> {
    const origin = originOf(url);
    return origin ? this.secrets.get(this.key(origin)) : undefined;
  }

  async set(url: string, token: string): Promise<void> {
    const origin = originOf(url);
    if (!origin) throw new Error(`"${url}" is not a URL.`);
    await this.secrets.store(this.key(origin), token);
  }

  async delete(url: string): Promise<void> {
    const origin = originOf(url);
    if (origin) await this.secrets.delete(this.key(origin));
  }

  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.secrets.onDidChange;
  }
}

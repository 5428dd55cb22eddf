// Every key the extension keeps in VS Code's storage, in one place with the type of its value:
// globalState (shared by the windows of this machine) and SecretStorage (tokens, per endpoint origin).
import type * as vscode from 'vscode';

/** globalState keys and what each holds. */
interface StateValues {
  /** the workflow class of the last window, the next window's start */
  currentWorkflow: string;
  /** ids of decided requests already announced (the last 500) */
  announcedRequests: string[];
  /** reviews already offered (domain/reviewCadence.ts) */
  reviewsShown: string[];
  /** thresholds already notified, and bands snoozed, this period (domain/thresholdMemory.ts) */
  thresholdMemory: string[];
}

export type StateKey = keyof StateValues;

/** The stored names; never change one (a person's state would be lost on update). */
export const STATE_KEYS: Readonly<Record<StateKey, string>> = {
  currentWorkflow: 'spendBand.currentWorkflow',
  announcedRequests: 'spendBand.announcedRequests',
  reviewsShown: 'spendBand.reviews.shown',
  thresholdMemory: 'spendBand.thresholdMemory',
};

export function readState<K extends StateKey>(state: vscode.Memento, key: K): StateValues[K] | undefined {
  return state.get<StateValues[K]>(STATE_KEYS[key]);
}

export function writeState<K extends StateKey>(state: vscode.Memento, key: K, value: StateValues[K]): Thenable<void> {
  return state.update(STATE_KEYS[key], value);
}

const TOKEN_PREFIX = 'spendBand.token:';

/** The SecretStorage key of the token for an endpoint origin (https://host:port). */
export function tokenSecretKey(origin: string): string {
  return `${TOKEN_PREFIX}${origin}`;
}

export function isTokenSecretKey(key: string): boolean {
  return key.startsWith(TOKEN_PREFIX);
}

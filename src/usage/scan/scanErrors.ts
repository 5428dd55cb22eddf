// The error a cancelled usage scan rejects with (its name is what callers and the worker protocol test).
export class AbortedError extends Error {
  constructor() {
    super('the usage scan was cancelled');
    this.name = 'AbortError';
  }
}

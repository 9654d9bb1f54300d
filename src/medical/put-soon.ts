/**
 * @module
 * `Vault#putSoon` for every vault: the puts that arrive in one run of the microtask queue (API
 * requests, one record each) go to the vault as one batch, committed before any timer or I/O callback
 * runs (so before a block that could refer to them). A SQLite transaction per record was a costly
 * share of the main thread's time per FHIR create.
 */
import type { VaultBatch } from './vault.ts';

interface Waiting {
  readonly batch: VaultBatch;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class PutSoon {
  readonly #put: (batch: VaultBatch) => unknown;
  #waiting: Waiting[] = [];

  /** `put` stores one batch atomically (throws, storing nothing, when it fails). */
  constructor(put: (batch: VaultBatch) => unknown) {
    this.#put = put;
  }

  /** Resolves once `batch` is stored with the others of this turn; rejects all of them if that fails. */
  add(batch: VaultBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject });
      if (this.#waiting.length === 1)
        queueMicrotask(() => {
          this.#flush();
        });
    });
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    try {
      this.#put({
        blobs: waiting.flatMap((w) => w.batch.blobs ?? []),
        keys: waiting.flatMap((w) => w.batch.keys ?? []),
      });
    } catch (e) {
      for (const w of waiting) w.reject(e);
      return;
    }
    for (const w of waiting) w.resolve();
  }
}

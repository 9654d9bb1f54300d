/**
 * @module
 * Record ids claimed by writes in progress. A new record's id is checked against the committed state,
 * but a write takes a while before its transaction is committed (sealing in a worker thread, then a
 * block): two concurrent creates of the same client-chosen id would both pass that check, and the
 * second one's wrapped keys would replace the first one's in the vault. A write claims its id first;
 * the claim holds while the write runs and while its transaction is pending, so the second create is
 * refused at once.
 */
import { RecordExistsError } from '../core/errors.ts';

export interface RecordClaim {
  /** The write's transaction is submitted: the claim now lasts while it is pending. */
  submitted(txId: string): void;
  /** The write failed: frees the id unless the transaction was already submitted. */
  release(): void;
}

/** Claims above which finished ones (transaction no longer pending) are swept. */
const SWEEP_AT = 4096;

export class RecordClaims {
  /** Record id → the claiming write's transaction id (null while it has none yet) and organization. */
  readonly #claims = new Map<string, { tx: string | null; org: string | undefined }>();
  readonly #isPending: (txId: string) => boolean;
  #sweepAt = SWEEP_AT;

  constructor(isPending: (txId: string) => boolean) {
    this.#isPending = isPending;
  }

  /**
   * Claims `id` for a write by organization `org`; throws RecordExistsError while another write of
   * `id` is in progress or pending.
   */
  claim(id: string, org?: string): RecordClaim {
    if (this.#holds(id)) throw new RecordExistsError(id, true);
    if (this.#claims.size >= this.#sweepAt) {
      for (const c of [...this.#claims.keys()]) this.#holds(c);
      // Amortized: the next sweep waits until the claims still held have doubled.
      this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#claims.size);
    }
    this.#claims.set(id, { tx: null, org });
    return {
      submitted: (txId) => {
        this.#claims.set(id, { tx: txId, org });
      },
      release: () => {
        if (this.#claims.get(id)?.tx === null) this.#claims.delete(id);
      },
    };
  }

  /** The organization writing record `id` while its write is in progress or pending; else undefined. */
  pendingOrg(id: string): string | undefined {
    return this.#holds(id) ? (this.#claims.get(id)?.org ?? '') : undefined;
  }

  /** Claims recorded, finished ones not yet swept included. */
  get size(): number {
    return this.#claims.size;
  }

  /** Whether a claim on `id` still holds; a finished one is dropped. */
  #holds(id: string): boolean {
    const c = this.#claims.get(id);
    if (c === undefined) return false;
    if (c.tx === null || this.#isPending(c.tx)) return true;
    this.#claims.delete(id);
    return false;
  }
}

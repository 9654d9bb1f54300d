/**
 * @module
 * Record keys this node has unwrapped, by record and by the recipient whose wrap opened them, which
 * every vault keeps beside its wraps (vault.ts `Vault#unwrappedKey`). An unwrap (X25519 + HKDF +
 * AES-GCM) was a large share of an authorized read; a record's key never changes (a grant adds a wrap
 * of the same key, consent-wraps.ts) and erasure drops the record's entries here with its wraps. The
 * node holds its organizations' private keys in the same memory, so this widens nothing an attacker
 * reading it would get. Bounded: the oldest records go first.
 */
import type { Recipient } from './vault.ts';

/** Records whose unwrapped keys are remembered at most, unless told otherwise. */
export const MAX_UNWRAPPED = 100_000;

export class UnwrappedKeys {
  readonly #keys = new Map<string, Map<Recipient, Uint8Array>>();
  readonly #max: number;

  constructor(max = MAX_UNWRAPPED) {
    this.#max = max;
  }

  /** Records whose unwrapped keys are held now, and the bound. */
  get size(): { used: number; capacity: number } {
    return { used: this.#keys.size, capacity: this.#max };
  }

  get(record: string, recipient: Recipient): Uint8Array | undefined {
    return this.#keys.get(record)?.get(recipient);
  }

  remember(record: string, recipient: Recipient, key: Uint8Array): void {
    let byRecipient = this.#keys.get(record);
    if (!byRecipient) {
      if (this.#keys.size >= this.#max) this.#keys.delete(this.#keys.keys().next().value!);
      byRecipient = new Map();
      this.#keys.set(record, byRecipient);
    }
    byRecipient.set(recipient, key);
  }

  /** Forgets a record's keys, overwriting them with zeros first. */
  forget(record: string): void {
    for (const key of this.#keys.get(record)?.values() ?? []) key.fill(0);
    this.#keys.delete(record);
  }
}

/**
 * @module
 * A vault (vault.ts) in memory, for tests and tools that need no file: it behaves as the SQLite one
 * does through the interface (vault-conformance.test-util.ts holds both to it), keeps nothing across
 * a restart, and `sync` has nothing to make durable.
 */
import type { WrappedKey } from '../core/envelope.ts';
import { PutSoon } from './put-soon.ts';
import { UnwrappedKeys } from './unwrapped-keys.ts';
import { sha256Hex } from './vault.ts';
import type { OrgKeyRow, Recipient, Vault, VaultBatch } from './vault.ts';

/** Hex as the SQLite vault gives it back after storing its bytes: lower case, odd digits dropped. */
const hex = (s: string): string => Buffer.from(s, 'hex').toString('hex');

export class MemoryVault implements Vault {
  /** Ciphertexts by record, with their SHA-256. */
  readonly #blobs = new Map<string, { readonly hash: string; readonly data: Uint8Array }>();
  /** Ciphertexts by SHA-256 alone, as a vault written before ciphertexts were kept by record has them. */
  readonly #legacy = new Map<string, Uint8Array>();
  readonly #keys = new Map<string, Map<Recipient, WrappedKey>>();
  readonly #orgKeys = new Map<string, Uint8Array>();
  readonly #settings = new Map<string, Uint8Array>();
  readonly #unwrapped: UnwrappedKeys;
  readonly #soon = new PutSoon((batch) => this.put(batch));
  #closed = false;

  /**
   * `records`: records whose unwrapped keys are kept; `legacyBlobs`: ciphertexts stored by hash alone,
   * as in a vault written before ciphertexts were kept by record.
   */
  constructor(opts: { records?: number; legacyBlobs?: readonly Uint8Array[] } = {}) {
    this.#unwrapped = new UnwrappedKeys(opts.records);
    for (const data of opts.legacyBlobs ?? []) this.#legacy.set(sha256Hex(data), Uint8Array.from(data));
  }

  get unwrappedCache(): { used: number; capacity: number } {
    return this.#unwrapped.size;
  }

  put(batch: VaultBatch): string[] {
    this.#open();
    // Everything is converted before anything is stored: a batch that fails stores nothing.
    const blobs = (batch.blobs ?? []).map(({ record, data }) => ({
      record,
      hash: sha256Hex(data),
      data: Uint8Array.from(data),
    }));
    const keys = (batch.keys ?? []).map((k) => ({
      record: k.record,
      recipient: k.recipient,
      wrap: { enc: hex(k.enc), ct: hex(k.ct) },
    }));
    for (const b of blobs) this.#blobs.set(b.record, { hash: b.hash, data: b.data });
    for (const k of keys) {
      let byRecipient = this.#keys.get(k.record);
      if (!byRecipient) {
        byRecipient = new Map<Recipient, WrappedKey>();
        this.#keys.set(k.record, byRecipient);
      }
      byRecipient.set(k.recipient, k.wrap);
    }
    return blobs.map((b) => b.hash);
  }

  putSoon(batch: VaultBatch): Promise<void> {
    return this.#soon.add(batch);
  }

  sync(): void {
    this.setSetting('last-sync', new Uint8Array(0));
  }

  blob(record: string, hash: string): Uint8Array | undefined {
    const data = this.#find(record, hash);
    return data && Uint8Array.from(data);
  }

  hasBlob(record: string, hash: string): boolean {
    return this.#find(record, hash) !== undefined;
  }

  recordBlob(record: string): Uint8Array | undefined {
    this.#open();
    const data = this.#blobs.get(record)?.data;
    return data && Uint8Array.from(data);
  }

  #find(record: string, hash: string): Uint8Array | undefined {
    this.#open();
    const h = hex(hash);
    const b = this.#blobs.get(record);
    return b?.hash === h ? b.data : this.#legacy.get(h);
  }

  keysOf(record: string): Map<Recipient, WrappedKey> {
    this.#open();
    // By recipient, as the SQLite vault's primary key lists them.
    const wraps = [...(this.#keys.get(record) ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new Map(wraps.map(([r, w]) => [r, { ...w }]));
  }

  unwrappedKey(record: string, recipient: Recipient): Uint8Array | undefined {
    return this.#unwrapped.get(record, recipient);
  }

  rememberUnwrapped(record: string, recipient: Recipient, key: Uint8Array): void {
    this.#unwrapped.remember(record, recipient, key);
  }

  orgKeys(): OrgKeyRow[] {
    this.#open();
    return [...this.#orgKeys]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([org, sealed]) => ({ org, sealed: Uint8Array.from(sealed) }));
  }

  putOrgKey(org: string, sealed: Uint8Array): void {
    this.#open();
    if (this.#orgKeys.has(org)) throw new Error(`organization ${org} has a key in the vault already`);
    this.#orgKeys.set(org, Uint8Array.from(sealed));
  }

  setting(key: string): Uint8Array | undefined {
    this.#open();
    const v = this.#settings.get(key);
    return v && Uint8Array.from(v);
  }

  setSetting(key: string, value: Uint8Array): void {
    this.#open();
    this.#settings.set(key, Uint8Array.from(value));
  }

  erase(records: readonly { record: string; blob: string }[]): number {
    for (const r of records) this.#unwrapped.forget(r.record);
    this.#open();
    const doomed = records.map((r) => ({ record: r.record, hash: hex(r.blob) }));
    let blobs = 0;
    for (const r of doomed) {
      if (this.#blobs.delete(r.record)) blobs++;
      if (this.#legacy.delete(r.hash)) blobs++;
      this.#keys.delete(r.record);
    }
    return blobs;
  }

  close(): void {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new Error('the vault is closed');
  }
}

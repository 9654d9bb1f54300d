/**
 * @module
 * The vault: a node's off-chain private data. It holds the records' ciphertexts (by record id, with
 * their SHA-256, which the chain holds), the HPKE-wrapped record keys (one per record and recipient),
 * the organizations' sealed X25519 keys and the node's sealed settings. Nothing in it is plaintext
 * PHI: blobs are AES-256-GCM ciphertext, keys are wrapped or sealed.
 *
 * `Vault` is what the medical application needs of one; `SqliteVault` (sqlite-vault.ts, the node's
 * vault.sqlite) and `MemoryVault` (memory-vault.ts) implement it, and both pass
 * vault-conformance.test-util.ts.
 */
import { createHash } from 'node:crypto';
import type { WrappedKey } from '../core/envelope.ts';

/** A recipient of wrapped record keys: an organization or a user's encryption key. */
export type Recipient = `org:${string}` | `key:${string}`;

export interface WrappedKeyRow extends WrappedKey {
  readonly record: string;
  readonly recipient: Recipient;
}

/** A record's ciphertext. */
export interface RecordBlob {
  readonly record: string;
  readonly data: Uint8Array;
}

export interface VaultBatch {
  readonly blobs?: readonly RecordBlob[];
  readonly keys?: readonly WrappedKeyRow[];
}

/** An organization's X25519 private key, sealed with the node's data key. */
export interface OrgKeyRow {
  readonly org: string;
  readonly sealed: Uint8Array;
}

export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export interface Vault {
  /**
   * Stores records' ciphertexts and wrapped keys all or nothing; returns the ciphertexts' SHA-256s in
   * order. A record's ciphertext replaces one stored for it before (a replica's fetch of a record that
   * never committed here cannot keep the real one out), as a wrap replaces the same recipient's.
   */
  put(batch: VaultBatch): string[];
  /**
   * {@link put} for writes that arrive one by one (API requests): the puts of one run of the microtask
   * queue are stored together, before any timer or I/O callback runs (so before a block that could
   * refer to them); if that fails, every one of them rejects and none is stored.
   */
  putSoon(batch: VaultBatch): Promise<void>;
  /** Makes every write so far durable: the node calls it before it commits a block that refers to them. */
  sync(): void;

  /**
   * The ciphertext of `record` whose SHA-256 the chain gives as `hash` (as stored: check it), or one
   * stored by that hash alone by a vault written before ciphertexts were kept by record.
   */
  blob(record: string, hash: string): Uint8Array | undefined;
  /** Whether {@link blob} would find it (a replica asks before it fetches the ciphertext). */
  hasBlob(record: string, hash: string): boolean;
  /**
   * The ciphertext kept by record `record`, whatever its hash (a break-glass note, which the chain
   * names by a commitment to its plaintext instead); undefined when none.
   */
  recordBlob(record: string): Uint8Array | undefined;
  /** The wrapped keys of a record, by recipient. */
  keysOf(record: string): Map<Recipient, WrappedKey>;

  /** A record key unwrapped earlier with `recipient`'s wrap, if the vault still remembers it. */
  unwrappedKey(record: string, recipient: Recipient): Uint8Array | undefined;
  /** Remembers a record key unwrapped with `recipient`'s wrap (in memory only; bounded, oldest records first). */
  rememberUnwrapped(record: string, recipient: Recipient, key: Uint8Array): void;
  /** Records whose unwrapped keys are remembered now, and the bound (shown in /metrics). */
  readonly unwrappedCache: { used: number; capacity: number };

  /** The sealed keys of the organizations this node hosts, by org. */
  orgKeys(): OrgKeyRow[];
  /** Stores a new hosted organization's sealed key; throws if the organization has one already. */
  putOrgKey(org: string, sealed: Uint8Array): void;

  /** A node setting (its sealed secrets). */
  setting(key: string): Uint8Array | undefined;
  setSetting(key: string, value: Uint8Array): void;

  /**
   * Erases records (`blob`: the hash on chain): their ciphertext, every wrapped key and the keys
   * remembered unwrapped (overwritten with zeros), leaving no copy behind. Returns how many
   * ciphertexts were deleted.
   */
  erase(records: readonly { record: string; blob: string }[]): number;
  close(): void;
}

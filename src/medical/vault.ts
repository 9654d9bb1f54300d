/**
 * @module
 * The vault: a node's off-chain private data in its own SQLite file (vault.sqlite) beside the ledger.
 * It holds the records' ciphertexts (by record id, with their SHA-256, which the chain holds), the
 * HPKE-wrapped record keys (one row per record and recipient), the organizations' sealed X25519 keys
 * and user accounts. Nothing in it is plaintext PHI: blobs are AES-256-GCM ciphertext, keys are
 * wrapped or sealed.
 *
 * Ciphertexts are keyed by record id, not by hash: record ids are time-ordered (UUIDv7), so a new
 * ciphertext lands on the last pages of the table, where keying by SHA-256 put each one on a random
 * leaf of an index that grows with the chain (a page read and a page written per record at 10^7
 * transactions). Ciphertexts stored before this are in `blobs` by hash and are read from there.
 *
 * Erasure must leave no copy behind: `secure_delete` overwrites deleted content in the database file,
 * and after an erasure the WAL is checkpointed and truncated, so no old frame keeps the ciphertext.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { WrappedKey } from '../core/envelope.ts';
import { cacheSizePragma } from '../chain/caches.ts';
import { FALLBACK_PRAGMA, WalCheckpointer } from '../store/wal-checkpointer.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS record_blobs (
  record TEXT PRIMARY KEY,
  hash   BLOB NOT NULL,
  data   BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
  hash BLOB PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS wrapped_keys (
  record    TEXT NOT NULL,
  recipient TEXT NOT NULL,
  enc       BLOB NOT NULL,
  ct        BLOB NOT NULL,
  PRIMARY KEY (record, recipient)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS org_keys (
  org    TEXT PRIMARY KEY,
  sealed BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts (
  key_id       TEXT PRIMARY KEY,
  email_hash   BLOB NOT NULL UNIQUE,
  email_sealed BLOB NOT NULL,
  name_sealed  BLOB NOT NULL,
  role         TEXT NOT NULL,
  org          TEXT,
  kdf          TEXT NOT NULL,
  verifier     BLOB NOT NULL,
  sealed_keys  BLOB NOT NULL,
  created      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS accounts_org ON accounts (org, created, key_id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
`;

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

export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Records whose unwrapped keys the vault remembers at most. */
const MAX_UNWRAPPED = 100_000;

export class Vault {
  readonly path: string;
  readonly db: DatabaseSync;
  readonly #checkpointer: WalCheckpointer;
  readonly #s: Record<
    'putBlob' | 'getBlob' | 'hasBlob' | 'putKey' | 'keysOf' | 'delBlob' | 'delLegacyBlob' | 'delKeys',
    StatementSync
  >;
  /**
   * Record keys this node has unwrapped, by record and by the recipient whose wrap opened them. An
   * unwrap (X25519 + HKDF + AES-GCM) was a large share of an authorized read; a record's key never changes
   * (a grant adds a wrap of the same key, consent-wraps.ts) and erasure drops the record's entries here with
   * its wraps. The node holds its organizations' private keys in the same memory, so this widens
   * nothing an attacker reading it would get. Bounded: the oldest records go first.
   */
  readonly #unwrapped = new Map<string, Map<Recipient, Uint8Array>>();

  readonly #maxUnwrapped: number;

  /** `cacheMiB`: SQLite page cache; `records`: records whose unwrapped keys are kept. */
  /** Records whose unwrapped keys are held now, and the bound. */
  get unwrappedCache(): { used: number; capacity: number } {
    return { used: this.#unwrapped.size, capacity: this.#maxUnwrapped };
  }

  constructor(path: string, caches: { cacheMiB?: number; records?: number } = {}) {
    this.path = path;
    this.#maxUnwrapped = caches.records ?? MAX_UNWRAPPED;
    this.db = new DatabaseSync(path, { timeout: 5000 });
    // Group commit: writes are not fsynced one by one (synchronous NORMAL); `sync()` makes everything
    // written so far durable with one fsync of the WAL, and the node calls it before it commits a
    // block that refers to these writes. A crash loses nothing a block or an answer relied on.
    this.db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON; ${FALLBACK_PRAGMA};
       ${cacheSizePragma(caches.cacheMiB ?? 64)};`,
    );
    // Checkpoints off the thread that answers requests (as the ledger's).
    this.#checkpointer = new WalCheckpointer(path);
    this.db.exec(SCHEMA);
    const p = (sql: string): StatementSync => this.db.prepare(sql);
    this.#s = {
      putBlob: p('INSERT OR REPLACE INTO record_blobs (record, hash, data) VALUES (?, ?, ?)'),
      // One statement for both tables (the second is read only when the first has no row): a vault
      // written before `record_blobs` answers most reads from `blobs`.
      getBlob: p(
        'SELECT data FROM record_blobs WHERE record = ?1 AND hash = ?2 UNION ALL SELECT data FROM blobs WHERE hash = ?2 LIMIT 1',
      ),
      hasBlob: p(
        'SELECT 1 AS x FROM record_blobs WHERE record = ?1 AND hash = ?2 UNION ALL SELECT 1 FROM blobs WHERE hash = ?2 LIMIT 1',
      ),
      putKey: p('INSERT OR REPLACE INTO wrapped_keys (record, recipient, enc, ct) VALUES (?, ?, ?, ?)'),
      keysOf: p('SELECT recipient, enc, ct FROM wrapped_keys WHERE record = ?'),
      delBlob: p('DELETE FROM record_blobs WHERE record = ?'),
      delLegacyBlob: p('DELETE FROM blobs WHERE hash = ?'),
      delKeys: p('DELETE FROM wrapped_keys WHERE record = ?'),
    };
  }

  /**
   * Stores records' ciphertexts and wrapped keys in one durable transaction; returns the ciphertexts'
   * SHA-256. A record's ciphertext replaces one stored for it before (a replica's fetch of a record
   * that never committed here cannot keep the real one out).
   */
  put(batch: VaultBatch): string[] {
    const hashes: string[] = [];
    this.transaction(() => {
      for (const { record, data } of batch.blobs ?? []) {
        const h = sha256Hex(data);
        this.#s.putBlob.run(record, Buffer.from(h, 'hex'), data);
        hashes.push(h);
      }
      for (const k of batch.keys ?? [])
        this.#s.putKey.run(k.record, k.recipient, Buffer.from(k.enc, 'hex'), Buffer.from(k.ct, 'hex'));
    });
    return hashes;
  }

  /**
   * {@link put} for writes that arrive one by one (API requests): the puts of one run of the microtask
   * queue share one transaction, committed before any timer or I/O callback runs (so before a block
   * that could refer to them). A transaction per record was a costly share of the main thread's time per
   * FHIR create.
   */
  putSoon(batch: VaultBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#soon.push({ batch, resolve, reject });
      if (this.#soon.length === 1)
        queueMicrotask(() => {
          this.#flushSoon();
        });
    });
  }

  #soon: { batch: VaultBatch; resolve: () => void; reject: (e: unknown) => void }[] = [];

  #flushSoon(): void {
    const waiting = this.#soon;
    this.#soon = [];
    try {
      this.put({
        blobs: waiting.flatMap((w) => w.batch.blobs ?? []),
        keys: waiting.flatMap((w) => w.batch.keys ?? []),
      });
    } catch (e) {
      for (const w of waiting) w.reject(e);
      return;
    }
    for (const w of waiting) w.resolve();
  }

  /** Makes every write so far durable: one FULL-synchronous commit fsyncs the whole WAL. */
  sync(): void {
    this.db.exec('PRAGMA synchronous = FULL');
    try {
      this.setSetting('last-sync', new Uint8Array(0));
    } finally {
      this.db.exec('PRAGMA synchronous = NORMAL');
    }
  }

  /** The ciphertext of `record` whose SHA-256 the chain gives as `hash` (as stored: check it). */
  blob(record: string, hash: string): Uint8Array | undefined {
    const h = Buffer.from(hash, 'hex');
    return (this.#s.getBlob.get(record, h) as { data: Uint8Array } | undefined)?.data;
  }

  hasBlob(record: string, hash: string): boolean {
    const h = Buffer.from(hash, 'hex');
    return this.#s.hasBlob.get(record, h) !== undefined;
  }

  /** The wrapped keys of a record, by recipient. */
  keysOf(record: string): Map<Recipient, WrappedKey> {
    const rows = this.#s.keysOf.all(record) as { recipient: Recipient; enc: Uint8Array; ct: Uint8Array }[];
    return new Map(
      rows.map((r) => [
        r.recipient,
        { enc: Buffer.from(r.enc).toString('hex'), ct: Buffer.from(r.ct).toString('hex') },
      ]),
    );
  }

  /** A record key unwrapped earlier with `recipient`'s wrap, if this node still remembers it. */
  unwrappedKey(record: string, recipient: Recipient): Uint8Array | undefined {
    return this.#unwrapped.get(record)?.get(recipient);
  }

  /** Remembers a record key unwrapped with `recipient`'s wrap (see {@link unwrappedKey}). */
  rememberUnwrapped(record: string, recipient: Recipient, key: Uint8Array): void {
    let byRecipient = this.#unwrapped.get(record);
    if (!byRecipient) {
      if (this.#unwrapped.size >= this.#maxUnwrapped)
        this.#unwrapped.delete(this.#unwrapped.keys().next().value!);
      byRecipient = new Map();
      this.#unwrapped.set(record, byRecipient);
    }
    byRecipient.set(recipient, key);
  }

  /**
   * Erases records: their ciphertext and every wrapped key (and the keys this node had unwrapped),
   * then checkpoints and truncates the WAL so no frame still holds them. Returns how many blobs were
   * deleted.
   */
  erase(records: readonly { record: string; blob: string }[]): number {
    for (const r of records) {
      for (const key of this.#unwrapped.get(r.record)?.values() ?? []) key.fill(0);
      this.#unwrapped.delete(r.record);
    }
    let blobs = 0;
    this.transaction(() => {
      for (const r of records) {
        blobs += Number(this.#s.delBlob.run(r.record).changes);
        blobs += Number(this.#s.delLegacyBlob.run(Buffer.from(r.blob, 'hex')).changes);
        this.#s.delKeys.run(r.record);
      }
    });
    this.#truncateWal();
    return blobs;
  }

  /**
   * Checkpoints and truncates the WAL. A reader in the middle of a statement (the integrity monitor's
   * thread reads the vault) makes SQLite wait for it up to the busy timeout and then report `busy`
   * rather than fail: then it is tried again, and it throws if the WAL still cannot be emptied.
   */
  #truncateWal(): void {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number } | undefined;
      if (r?.busy === 0) return;
    }
    throw new Error('the vault WAL could not be truncated after an erasure (a reader holds it)');
  }

  setting(key: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: Uint8Array } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: Uint8Array): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** Runs `fn` in one IMMEDIATE transaction (rolled back if it throws); durable at the next `sync()`. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.db.exec('COMMIT');
      this.#checkpointer.committed();
      return r;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  close(): void {
    this.#checkpointer.close();
    if (this.db.isOpen) this.db.close();
  }
}

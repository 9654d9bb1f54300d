/**
 * @module
 * The node's vault (vault.ts) in its own SQLite file (vault.sqlite) beside the ledger. This file owns
 * the vault's tables and their SQL; user accounts (accounts.ts), API tokens and access requests keep
 * tables of their own in the same file through {@link SqliteVault.db}, and other threads read the
 * ciphertexts through a {@link SqliteVaultReader}.
 *
 * Ciphertexts are keyed by record id, not by hash: record ids are time-ordered (UUIDv7), so a new
 * ciphertext lands on the last pages of the table, where keying by SHA-256 put each one on a random
 * leaf of an index that grows with the chain (a page read and a page written per record at 10^7
 * transactions). Ciphertexts stored before this are in `blobs` by hash and are read from there.
 *
 * Erasure must leave no copy behind: `secure_delete` overwrites deleted content in the database file,
 * and after an erasure the WAL is checkpointed and truncated, so no old frame keeps the ciphertext.
 */
import { ownerOnly } from '../store/owner-only.ts';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { WrappedKey } from '../core/envelope.ts';
import { cacheSizePragma } from '../chain/caches.ts';
import { FALLBACK_PRAGMA, WalCheckpointer } from '../store/wal-checkpointer.ts';
import { PutSoon } from './put-soon.ts';
import { UnwrappedKeys } from './unwrapped-keys.ts';
import { sha256Hex } from './vault.ts';
import type { OrgKeyRow, Recipient, Vault, VaultBatch } from './vault.ts';

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

/**
 * A ciphertext by record and hash (?1, ?2), then by hash alone in the table of a vault written
 * before `record_blobs`: one statement for both (the second is read only when the first has no row),
 * as such a vault answers most reads from `blobs`.
 */
const GET_BLOB =
  'SELECT data FROM record_blobs WHERE record = ?1 AND hash = ?2 UNION ALL SELECT data FROM blobs WHERE hash = ?2 LIMIT 1';
const HAS_BLOB =
  'SELECT 1 AS x FROM record_blobs WHERE record = ?1 AND hash = ?2 UNION ALL SELECT 1 FROM blobs WHERE hash = ?2 LIMIT 1';
const ORG_KEYS = 'SELECT org, sealed FROM org_keys ORDER BY org';

export class SqliteVault implements Vault {
  readonly path: string;
  /** The connection, for the tables that other classes keep in the vault's file (accounts, tokens). */
  readonly db: DatabaseSync;
  readonly #checkpointer: WalCheckpointer;
  readonly #s: Record<
    | 'putBlob'
    | 'getBlob'
    | 'hasBlob'
    | 'recordBlob'
    | 'putKey'
    | 'keysOf'
    | 'delBlob'
    | 'delLegacyBlob'
    | 'delKeys',
    StatementSync
  >;
  readonly #unwrapped: UnwrappedKeys;
  readonly #soon = new PutSoon((batch) => this.put(batch));

  /** `cacheMiB`: SQLite page cache; `records`: records whose unwrapped keys are kept. */
  constructor(path: string, caches: { cacheMiB?: number; records?: number } = {}) {
    this.path = path;
    this.#unwrapped = new UnwrappedKeys(caches.records);
    this.db = new DatabaseSync(path, { timeout: 5000 });
    ownerOnly(path);
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
      getBlob: p(GET_BLOB),
      hasBlob: p(HAS_BLOB),
      recordBlob: p('SELECT data FROM record_blobs WHERE record = ?'),
      putKey: p('INSERT OR REPLACE INTO wrapped_keys (record, recipient, enc, ct) VALUES (?, ?, ?, ?)'),
      keysOf: p('SELECT recipient, enc, ct FROM wrapped_keys WHERE record = ?'),
      delBlob: p('DELETE FROM record_blobs WHERE record = ?'),
      delLegacyBlob: p('DELETE FROM blobs WHERE hash = ?'),
      delKeys: p('DELETE FROM wrapped_keys WHERE record = ?'),
    };
  }

  get unwrappedCache(): { used: number; capacity: number } {
    return this.#unwrapped.size;
  }

  /** {@link Vault.put} in one transaction, durable at the next `sync()`. */
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

  /** {@link Vault.putSoon}: the puts of one turn share one SQLite transaction. */
  putSoon(batch: VaultBatch): Promise<void> {
    return this.#soon.add(batch);
  }

  /** {@link Vault.sync}: one FULL-synchronous commit fsyncs the whole WAL. */
  sync(): void {
    this.db.exec('PRAGMA synchronous = FULL');
    try {
      this.setSetting('last-sync', new Uint8Array(0));
    } finally {
      this.db.exec('PRAGMA synchronous = NORMAL');
    }
  }

  blob(record: string, hash: string): Uint8Array | undefined {
    const h = Buffer.from(hash, 'hex');
    return (this.#s.getBlob.get(record, h) as { data: Uint8Array } | undefined)?.data;
  }

  hasBlob(record: string, hash: string): boolean {
    const h = Buffer.from(hash, 'hex');
    return this.#s.hasBlob.get(record, h) !== undefined;
  }

  recordBlob(record: string): Uint8Array | undefined {
    return (this.#s.recordBlob.get(record) as { data: Uint8Array } | undefined)?.data;
  }

  keysOf(record: string): Map<Recipient, WrappedKey> {
    const rows = this.#s.keysOf.all(record) as { recipient: Recipient; enc: Uint8Array; ct: Uint8Array }[];
    return new Map(
      rows.map((r) => [
        r.recipient,
        { enc: Buffer.from(r.enc).toString('hex'), ct: Buffer.from(r.ct).toString('hex') },
      ]),
    );
  }

  unwrappedKey(record: string, recipient: Recipient): Uint8Array | undefined {
    return this.#unwrapped.get(record, recipient);
  }

  rememberUnwrapped(record: string, recipient: Recipient, key: Uint8Array): void {
    this.#unwrapped.remember(record, recipient, key);
  }

  orgKeys(): OrgKeyRow[] {
    const rows = this.db.prepare(ORG_KEYS).all() as unknown as OrgKeyRow[];
    return rows.map((r) => ({ org: r.org, sealed: r.sealed }));
  }

  putOrgKey(org: string, sealed: Uint8Array): void {
    this.db.prepare('INSERT INTO org_keys (org, sealed) VALUES (?, ?)').run(org, sealed);
  }

  /**
   * {@link Vault.erase}, then the WAL is checkpointed and truncated so no frame still holds the
   * erased rows.
   */
  erase(records: readonly { record: string; blob: string }[]): number {
    for (const r of records) this.#unwrapped.forget(r.record);
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

/**
 * Read-only access to the ciphertexts of the vault file at `path`, through a connection of its own
 * (the integrity monitor's thread), and to which organizations it hosts (the attack lab, on a copy).
 */
export class SqliteVaultReader {
  readonly path: string;
  readonly #db: DatabaseSync;
  #getBlob: StatementSync | undefined;

  constructor(path: string) {
    this.path = path;
    this.#db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
  }

  /** Where {@link SqliteVault.blob} looks; `hash` as its 32 bytes. */
  blob(record: string, hash: Uint8Array): Uint8Array | undefined {
    this.#getBlob ??= this.#db.prepare(GET_BLOB);
    return (this.#getBlob.get(record, hash) as { data: Uint8Array } | undefined)?.data;
  }

  /** The organizations whose sealed keys the vault holds, in order. */
  orgs(): string[] {
    return (this.#db.prepare(ORG_KEYS).all() as unknown as OrgKeyRow[]).map((r) => r.org);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

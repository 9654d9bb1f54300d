/**
 * @module
 * The directory's keys as a table of the ledger's database (`dir_keys`), with a bounded cache of
 * entries in front: every transaction's signer is looked up, and a KeyObject costs more to build than
 * the row costs to read. Rows change only inside a block's store transaction (sqlite-directory.ts).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { toHex } from '../core/bytes.ts';
import { publicKeyObject } from '../core/keys.ts';
import { Lru } from '../core/lru.ts';
import type { KeyEntry, KeyTable } from '../state-machine/key-table.ts';
import type { Role } from '../state-machine/payloads.ts';

export const KEY_TABLE_SCHEMA = `
CREATE TABLE IF NOT EXISTS dir_keys (
  seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, public_key BLOB NOT NULL, role TEXT NOT NULL,
  org TEXT, encryption_key TEXT, patient TEXT, registered_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS dir_keys_patient ON dir_keys (patient, seq) WHERE patient IS NOT NULL;
CREATE INDEX IF NOT EXISTS dir_keys_role ON dir_keys (role, seq);
`;
/** Rows per read when iterating the table. */
const PAGE = 1000;

interface KeyRow {
  seq: number;
  key_id: string;
  public_key: Uint8Array;
  role: Role;
  org: string | null;
  encryption_key: string | null;
  patient: string | null;
  registered_at: number;
  revoked_at: number | null;
}

function entryOf(r: KeyRow): KeyEntry {
  return {
    keyId: r.key_id,
    publicKey: publicKeyObject(r.public_key),
    publicKeyHex: toHex(r.public_key),
    role: r.role,
    ...(r.org === null ? {} : { org: r.org }),
    ...(r.encryption_key === null ? {} : { encryptionKey: r.encryption_key }),
    ...(r.patient === null ? {} : { patient: r.patient }),
    registeredAt: r.registered_at,
    ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }),
  };
}

export class SqliteKeyTable implements KeyTable {
  readonly #db: DatabaseSync;
  readonly #cache: Lru<string, KeyEntry>;
  readonly #page: number;
  readonly #q: Record<string, StatementSync>;

  /** Creates the table if needed; `cacheEntries` bounds the entries kept in memory. */
  constructor(db: DatabaseSync, opts: { cacheEntries?: number; pageRows?: number } = {}) {
    this.#db = db;
    this.#cache = new Lru(opts.cacheEntries ?? 10_000);
    this.#page = opts.pageRows ?? PAGE;
    db.exec(KEY_TABLE_SCHEMA);
    const p = (sql: string): StatementSync => db.prepare(sql);
    this.#q = {
      get: p('SELECT * FROM dir_keys WHERE key_id = ?'),
      add: p(
        `INSERT INTO dir_keys (key_id, public_key, role, org, encryption_key, patient, registered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      revoke: p('UPDATE dir_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL'),
      ofPatient: p('SELECT key_id FROM dir_keys WHERE patient = ? ORDER BY seq'),
      all: p('SELECT * FROM dir_keys WHERE seq > ? ORDER BY seq LIMIT ?'),
      withRole: p('SELECT * FROM dir_keys WHERE role = ? AND seq > ? ORDER BY seq LIMIT ?'),
      count: p('SELECT count(*) AS n FROM dir_keys'),
    };
  }

  get size(): number {
    return (this.#q.count!.get() as { n: number }).n;
  }

  /** Entries held in memory now, and at most. */
  get cache(): { used: number; capacity: number } {
    return { used: this.#cache.size, capacity: this.#cache.capacity };
  }

  /** Forgets the cached entries (after a transaction that changed rows was rolled back). */
  forget(): void {
    this.#cache.clear();
  }

  get(keyId: string): KeyEntry | undefined {
    const hit = this.#cache.get(keyId);
    if (hit) return hit;
    const row = this.#q.get!.get(keyId) as KeyRow | undefined;
    if (!row) return undefined;
    const e = entryOf(row);
    this.#cache.set(keyId, e);
    return e;
  }

  add(e: KeyEntry): void {
    this.#q.add!.run(
      e.keyId,
      Buffer.from(e.publicKeyHex, 'hex'),
      e.role,
      e.org ?? null,
      e.encryptionKey ?? null,
      e.patient ?? null,
      e.registeredAt,
    );
  }

  revoke(keyId: string, height: number): void {
    this.#q.revoke!.run(height, keyId);
    this.#cache.delete(keyId);
  }

  ofPatient(patient: string): string[] {
    return (this.#q.ofPatient!.all(patient) as { key_id: string }[]).map((r) => r.key_id);
  }

  *entries(): Iterable<KeyEntry> {
    yield* this.#pages((after) => this.#q.all!.all(after, this.#page));
  }

  *withRole(role: Role): Iterable<KeyEntry> {
    yield* this.#pages((after) => this.#q.withRole!.all(role, after, this.#page));
  }

  *#pages(read: (after: number) => unknown[]): Generator<KeyEntry> {
    let after = 0;
    for (;;) {
      const rows = read(after) as KeyRow[];
      for (const r of rows) yield entryOf(r);
      if (rows.length < this.#page) return;
      after = rows.at(-1)!.seq;
    }
  }

  /** Removes every row (the directory is rebuilt from the chain). */
  clear(): void {
    this.#db.exec('DELETE FROM dir_keys');
    this.#cache.clear();
  }
}

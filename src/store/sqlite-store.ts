/**
 * @module
 * Store on node:sqlite: one SQLite file per node data directory, WAL journal.
 *
 * Durability: `synchronous=FULL`. In WAL mode NORMAL already survives a killed process (the WAL is in
 * the OS page cache), but it can lose the last commits on power loss or an OS crash; a medical ledger
 * acknowledges a write only once it is on disk, and the cost is one fsync per block (per ~1,000
 * transactions), which the benchmarks show is small.
 * A block, its transactions and its Merkle nodes commit in one transaction (BEGIN IMMEDIATE … COMMIT).
 */
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { StoreConflictError, StoreCorruptError } from '../core/errors.ts';
import type { NodeId } from '../core/merkle/node-id.ts';
import type { AppendBatch, Store, StoredBlock, StoredTx } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blocks (
  height      INTEGER PRIMARY KEY,
  hash        BLOB NOT NULL UNIQUE,
  header      TEXT NOT NULL,
  signature   BLOB NOT NULL,
  first_seq   INTEGER NOT NULL,
  certificate TEXT
);
CREATE TABLE IF NOT EXISTS txs (
  seq    INTEGER PRIMARY KEY,
  id     BLOB NOT NULL UNIQUE,
  height INTEGER NOT NULL,
  type   TEXT NOT NULL,
  body   TEXT NOT NULL,
  sig    BLOB NOT NULL
);
DROP INDEX IF EXISTS txs_identity;
CREATE INDEX IF NOT EXISTS txs_type ON txs(type, seq);
CREATE TABLE IF NOT EXISTS merkle_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

interface BlockRow {
  height: number;
  hash: Uint8Array;
  header: string;
  signature: Uint8Array;
  first_seq: number;
  certificate: string | null;
}
interface TxRow {
  seq: number;
  id: Uint8Array;
  height: number;
  type: string;
  body: string;
  sig: Uint8Array;
}

export interface SqliteStoreOptions {
  /** Open read-only (for tools and verification workers). */
  readonly readOnly?: boolean;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path;
    this.#db = new DatabaseSync(path, { readOnly: opts.readOnly ?? false, timeout: 5000 });
    if (!opts.readOnly) {
      // Transaction ids are hashes, so every block inserts ~1,000 keys at random places of the id index:
      // a larger page cache and a checkpoint every 32,768 WAL pages (instead of 1,000) let the pages
      // dirtied by many blocks reach the database file once. Measured at 10^6 transactions: SQLite time
      // per 1,000-tx block 33 ms → 16 ms (bench/results, README "Benchmarks").
      this.#db.exec(
        'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 32768;',
      );
      this.#db.exec(SCHEMA);
    }
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    const blockCols = 'height, hash, header, signature, first_seq, certificate';
    const txCols = 'seq, id, height, type, body, sig';
    const s: Record<string, StatementSync> = {
      head: p(`SELECT ${blockCols} FROM blocks ORDER BY height DESC LIMIT 1`),
      byHeight: p(`SELECT ${blockCols} FROM blocks WHERE height = ?`),
      byHash: p(`SELECT ${blockCols} FROM blocks WHERE hash = ?`),
      range: p(`SELECT ${blockCols} FROM blocks WHERE height >= ? AND height < ? ORDER BY height`),
      insBlock: p(
        'INSERT INTO blocks (height, hash, header, signature, first_seq, certificate) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insTx: p('INSERT INTO txs (seq, id, height, type, body, sig) VALUES (?, ?, ?, ?, ?, ?)'),
      insNode: p('INSERT OR REPLACE INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)'),
      txById: p(`SELECT ${txCols} FROM txs WHERE id = ?`),
      txsBySeqArrays: p(`SELECT ${txCols} FROM txs WHERE seq >= ? AND seq < ? ORDER BY seq`),
      txCount: p('SELECT count(*) AS n FROM txs'),
      node: p('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?'),
      leaf: p('SELECT id AS hash FROM txs WHERE seq = ?'),
      setCertificate: p('UPDATE blocks SET certificate = ? WHERE height = ?'),
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
    s.txsBySeqArrays!.setReturnArrays(true);
    this.#s = s;
  }

  head(): StoredBlock | undefined {
    return toBlock(this.#s.head!.get() as BlockRow | undefined);
  }

  append({ block, txs, nodes, meta }: AppendBatch): void {
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const head = this.#s.head!.get() as BlockRow | undefined;
      const want = head ? head.height + 1 : 0;
      if (block.height !== want) throw new StoreConflictError(want, block.height);
      this.#s.insBlock!.run(
        block.height,
        Buffer.from(block.hash, 'hex'),
        block.header,
        Buffer.from(block.signature, 'hex'),
        block.firstSeq,
        block.certificate ?? null,
      );
      const insTx = this.#s.insTx!;
      for (const t of txs) {
        insTx.run(t.seq, Buffer.from(t.id, 'hex'), t.height, t.type, t.body, Buffer.from(t.sig, 'hex'));
      }
      const insNode = this.#s.insNode!;
      // Level-0 nodes are the transaction ids themselves (RFC 6962 leaf hashes): not stored twice.
      for (const n of nodes) if (n.level > 0) insNode.run(n.level, n.index, n.hash);
      for (const [k, v] of Object.entries(meta ?? {})) this.#s.setMeta!.run(k, v);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      if (e instanceof Error && e.message.includes('UNIQUE constraint failed: txs.id')) {
        throw new StoreConflictError(block.height, block.height);
      }
      throw e;
    }
  }

  blockByHeight(height: number): StoredBlock | undefined {
    return toBlock(this.#s.byHeight!.get(height) as BlockRow | undefined);
  }

  blockByHash(hash: string): StoredBlock | undefined {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    return toBlock(this.#s.byHash!.get(Buffer.from(hash, 'hex')) as BlockRow | undefined);
  }

  blocks(from: number, to: number): StoredBlock[] {
    return (this.#s.range!.all(from, to) as unknown as BlockRow[]).map((r) => toBlock(r)!);
  }

  txById(id: string): StoredTx | undefined {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    return toTx(this.#s.txById!.get(Buffer.from(id, 'hex')) as TxRow | undefined);
  }

  presentTxIds(ids: readonly string[]): Set<string> {
    const found = new Set<string>();
    const valid = ids.filter((id) => /^[0-9a-f]{64}$/.test(id));
    for (let i = 0; i < valid.length; i += 500) {
      const chunk = valid.slice(i, i + 500);
      const sql = `SELECT id FROM txs WHERE id IN (${chunk.map(() => '?').join(',')})`;
      const rows = this.#db.prepare(sql).all(...chunk.map((id) => Buffer.from(id, 'hex'))) as {
        id: Uint8Array;
      }[];
      for (const r of rows) found.add(hex(r.id, 'tx id'));
    }
    return found;
  }

  txsBySeq(from: number, to: number): StoredTx[] {
    // Rows as arrays: no per-row object from SQLite on this hot path (verification reads every tx).
    const rows = this.#s.txsBySeqArrays!.all(from, to) as unknown as [
      number,
      Uint8Array,
      number,
      string,
      string,
      Uint8Array,
    ][];
    return rows.map(([seq, id, height, type, body, sig]) => ({
      seq,
      id: hex(id, `tx ${seq} id`),
      height,
      type,
      body,
      sig: hex(sig, `tx ${seq} sig`),
    }));
  }

  txsOfTypes(types: readonly string[]): StoredTx[] {
    if (types.length === 0) return [];
    // Served by the (type, seq) index: one range per type, merged by seq.
    const sql = `SELECT seq, id, height, type, body, sig FROM txs WHERE type IN (${types.map(() => '?').join(',')}) ORDER BY seq`;
    return (this.#db.prepare(sql).all(...types) as unknown as TxRow[]).map((r) => toTx(r)!);
  }

  txCount(): number {
    return (this.#s.txCount!.get() as { n: number }).n;
  }

  merkleNodes(ids: readonly NodeId[]): (Uint8Array | undefined)[] {
    const node = this.#s.node!;
    const leaf = this.#s.leaf!;
    return ids.map((id) => {
      const row = (id.level === 0 ? leaf.get(id.index) : node.get(id.level, id.index)) as
        { hash: Uint8Array } | undefined;
      return row?.hash;
    });
  }

  setCertificate(height: number, certificate: string): boolean {
    return Number(this.#s.setCertificate!.run(certificate, height).changes) === 1;
  }

  getMeta(key: string): string | undefined {
    return (this.#s.getMeta!.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#s.setMeta!.run(key, value);
  }

  /** Runs raw SQL; for tests and maintenance tools only. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function hex(b: Uint8Array, what: string): string {
  if (!(b instanceof Uint8Array)) throw new StoreCorruptError(`${what} is not a blob`);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function toBlock(r: BlockRow | undefined): StoredBlock | undefined {
  if (!r) return undefined;
  const b: StoredBlock = {
    height: r.height,
    hash: hex(r.hash, `block ${r.height} hash`),
    header: r.header,
    signature: hex(r.signature, `block ${r.height} signature`),
    firstSeq: r.first_seq,
  };
  return r.certificate === null ? b : { ...b, certificate: r.certificate };
}

function toTx(r: TxRow | undefined): StoredTx | undefined {
  if (!r) return undefined;
  return {
    seq: r.seq,
    id: hex(r.id, `tx ${r.seq} id`),
    height: r.height,
    type: r.type,
    body: r.body,
    sig: hex(r.sig, `tx ${r.seq} sig`),
  };
}

/**
 * @module
 * Store on node:sqlite: one SQLite file per node data directory, WAL journal.
 *
 * Durability: `synchronous=FULL`. In WAL mode NORMAL already survives a killed process (the WAL is in
 * the OS page cache), but it can lose the last commits on power loss or an OS crash; a medical ledger
 * acknowledges a write only once it is on disk, and the cost is one fsync per block (per ~1,000
 * transactions), which the benchmarks show is small.
 * A block, its transactions, its Merkle nodes and its transaction ids commit in one transaction
 * (BEGIN IMMEDIATE … COMMIT).
 *
 * Cost per block stays flat as the log grows because every write lands in a few contiguous places:
 * `txs` and `merkle_nodes` grow at their ends, and the transaction-id index is filled by a rolling
 * merge (sqlite-tx-ids.ts) instead of ~1,000 random B-tree inserts per block.
 */
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { StoreConflictError } from '../core/errors.ts';
import { rfc6962 } from '../core/merkle/hasher.ts';
import type { NodeId } from '../core/merkle/node-id.ts';
import type { AppendBatch, Store, StoredBlock, StoredTx } from './store.ts';
import {
  hasUniqueTxIds,
  migrateLegacyTxIds,
  migrateSliceMarks,
  SLICES,
  TX_IDS_SCHEMA,
  TxIdIndex,
} from './sqlite-tx-ids.ts';
import { ThreadWarmer } from './tx-id-warmer.ts';
import { ownerOnly } from './owner-only.ts';
import { FALLBACK_PRAGMA, WalCheckpointer } from './wal-checkpointer.ts';
import type { TxIdWarmer } from './tx-id-warmer.ts';

const TXS_TABLE = `CREATE TABLE IF NOT EXISTS txs (
  seq    INTEGER PRIMARY KEY,
  id     BLOB NOT NULL,
  height INTEGER NOT NULL,
  type   TEXT NOT NULL,
  body   TEXT NOT NULL,
  sig    BLOB NOT NULL
);`;
const TXS_TYPE_INDEX = 'CREATE INDEX IF NOT EXISTS txs_type ON txs(type, seq);';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blocks (
  height      INTEGER PRIMARY KEY,
  hash        BLOB NOT NULL UNIQUE,
  header      TEXT NOT NULL,
  signature   BLOB NOT NULL,
  first_seq   INTEGER NOT NULL,
  certificate TEXT
);
${TXS_TABLE}
DROP INDEX IF EXISTS txs_identity;
${TXS_TYPE_INDEX}
CREATE TABLE IF NOT EXISTS merkle_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
${TX_IDS_SCHEMA}
`;

interface BlockRow {
  height: number;
  hash: string;
  header: string;
  signature: string;
  first_seq: number;
  certificate: string | null;
}
interface TxRow {
  seq: number;
  id: string;
  height: number;
  type: string;
  body: string;
  sig: string;
}

export interface SqliteStoreOptions {
  /** Open read-only (for tools and verification workers). */
  readonly readOnly?: boolean;
  /** Page cache, MiB (default 64). */
  readonly cacheMiB?: number;
  /** Transaction ids held in memory before they are merged into the id index (see TxIdIndex). */
  readonly txIdBuffer?: number;
  /** Reads the id index ahead of its merges (a writer's; default a thread of its own). */
  readonly txIdWarmer?: TxIdWarmer;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;
  readonly #ids: TxIdIndex;
  readonly #warmer: TxIdWarmer | undefined;
  readonly #checkpointer: WalCheckpointer | undefined;

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path;
    this.#db = new DatabaseSync(path, { readOnly: opts.readOnly ?? false, timeout: 5000 });
    const legacy = hasUniqueTxIds(this.#db);
    if (!opts.readOnly) {
      ownerOnly(path);
      // A page cache that holds the transaction-id index of a 10^6-transaction log (submissions probe it
      // at random), and checkpoints every 32,768 WAL pages (instead of 1,000) so that pages rewritten by
      // many blocks reach the database file once, run by a thread of their own (wal-checkpointer.ts).
      this.#db.exec(
        `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; ${FALLBACK_PRAGMA};
         PRAGMA cache_size = -${String(Math.max(1, Math.round((opts.cacheMiB ?? 64) * 1024)))};`,
      );
      migrateSliceMarks(this.#db);
      this.#db.exec(SCHEMA);
      if (legacy) migrateLegacyTxIds(this.#db, `${TXS_TABLE} ${TXS_TYPE_INDEX}`);
    }
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    // Blobs are read as hex text made by SQLite: a blob becomes a new ArrayBuffer in node:sqlite, which
    // made reading a transaction several times slower.
    // Hex of whatever is stored (a tampered value of another type included) is what gets checked.
    const blockCols =
      'height, lower(hex(hash)) AS hash, header, lower(hex(signature)) AS signature, first_seq, certificate';
    const txCols = TX_COLS;
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
      txBySeq: p(`SELECT ${txCols} FROM txs WHERE seq = ?`),
      txsBySeqArrays: p(`SELECT ${txCols} FROM txs WHERE seq >= ? AND seq < ? ORDER BY seq`),
      txCount: p('SELECT count(*) AS n FROM txs'),
      // Two statements: SQLite answers a lone min() or max() from the index, both together by a scan.
      txFirst: p('SELECT coalesce(min(seq), 0) AS n FROM txs'),
      txEnd: p('SELECT coalesce(max(seq) + 1, 0) AS n FROM txs'),
      nodes: p('SELECT hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx'),
      leaves: p('SELECT id FROM txs WHERE seq >= ? AND seq < ? ORDER BY seq'),
      setCertificate: p('UPDATE blocks SET certificate = ? WHERE height = ?'),
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
    for (const k of ['txsBySeqArrays', 'nodes', 'leaves']) s[k]!.setReturnArrays(true);
    this.#s = s;
    // A writer reads the id index's pages ahead of its merges (tx-id-warmer.ts).
    this.#warmer = opts.readOnly === true ? undefined : (opts.txIdWarmer ?? new ThreadWarmer(path, SLICES));
    this.#checkpointer = opts.readOnly === true ? undefined : new WalCheckpointer(path);
    this.#ids = new TxIdIndex(this.#db, {
      legacy: legacy && opts.readOnly === true,
      ...(opts.txIdBuffer === undefined ? {} : { buffer: opts.txIdBuffer }),
      ...(this.#warmer === undefined ? {} : { warmer: this.#warmer }),
    });
    if (!opts.readOnly) this.#ids.load();
  }

  /** Transaction ids buffered in memory, and the bound (shown in /metrics). */
  get txIdBuffer(): { used: number; capacity: number } {
    return this.#ids.buffered;
  }

  head(): StoredBlock | undefined {
    return toBlock(this.#s.head!.get() as BlockRow | undefined);
  }

  /** The connection, for state tables that commit with the blocks (`append`'s `alongside`). */
  get database(): DatabaseSync {
    return this.#db;
  }

  /** Runs `fn` in one write transaction of this database (state tables built beside the chain). */
  inTransaction(fn: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.#db.exec('COMMIT');
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  /** Whether the table `name` exists (state tables are created on first use). */
  hasTable(name: string): boolean {
    return (
      this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
      undefined
    );
  }

  append({ block, txs, nodes, meta }: AppendBatch, alongside?: () => void): void {
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
      const indexed = this.#ids.add(block.height, txs);
      const insTx = this.#s.insTx!;
      for (const t of txs) {
        insTx.run(t.seq, Buffer.from(t.id, 'hex'), t.height, t.type, t.body, Buffer.from(t.sig, 'hex'));
      }
      const insNode = this.#s.insNode!;
      for (const n of nodes)
        if (n.level > 0 && n.level % TILE_HEIGHT === 0) insNode.run(n.level, n.index, n.hash);
      for (const [k, v] of Object.entries(meta ?? {})) this.#s.setMeta!.run(k, v);
      alongside?.();
      db.exec('COMMIT');
      indexed();
      this.#checkpointer?.committed();
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  blockByHeight(height: number): StoredBlock | undefined {
    return toBlock(this.#s.byHeight!.get(height) as BlockRow | undefined);
  }

  blockByHash(hash: string): StoredBlock | undefined {
    if (!HEX64.test(hash)) return undefined;
    return toBlock(this.#s.byHash!.get(Buffer.from(hash, 'hex')) as BlockRow | undefined);
  }

  blocks(from: number, to: number): StoredBlock[] {
    return (this.#s.range!.all(from, to) as unknown as BlockRow[]).map((r) => toBlock(r)!);
  }

  txById(id: string): StoredTx | undefined {
    if (!HEX64.test(id)) return undefined;
    const seq = this.#ids.seqOf(id);
    if (seq === undefined) return undefined;
    const tx = toTx(this.#s.txBySeq!.get(seq) as TxRow | undefined);
    // The index is derived from the log: a row changed behind the store's back is not what was asked.
    return tx?.id === id ? tx : undefined;
  }

  presentTxIds(ids: readonly string[]): Set<string> {
    return this.#ids.present(ids.filter((id) => HEX64.test(id)));
  }

  noteUnseen(ids: readonly string[]): void {
    this.#ids.noteAbsent(ids.filter((id) => HEX64.test(id)));
  }

  txsBySeq(from: number, to: number): StoredTx[] {
    // Rows as arrays: no per-row object from SQLite on this hot path (verification reads every tx).
    const rows = this.#s.txsBySeqArrays!.all(from, to) as unknown as [
      number,
      string,
      number,
      string,
      string,
      string,
    ][];
    return rows.map(([seq, id, height, type, body, sig]) => ({ seq, id, height, type, body, sig }));
  }

  *txsOfTypes(types: readonly string[], fromSeq = 0): Iterable<StoredTx> {
    if (types.length === 0) return;
    // Served by the (type, seq) index: one range per type, merged by seq.
    const sql = `SELECT ${TX_COLS} FROM txs WHERE type IN (${types.map(() => '?').join(',')}) AND seq >= ?
      ORDER BY seq`;
    for (const r of this.#db.prepare(sql).iterate(...types, fromSeq)) yield toTx(r as unknown as TxRow)!;
  }

  txCount(): number {
    return (this.#s.txCount!.get() as { n: number }).n;
  }

  txSpan(): { first: number; end: number } {
    const first = (this.#s.txFirst!.get() as { n: number }).n;
    const end = (this.#s.txEnd!.get() as { n: number }).n;
    return { first, end };
  }

  *repeatedTxIds(): Iterable<{ id: string; seqs: number[] }> {
    // SQLite's sorter spills to temporary files: memory stays bounded however long the log is.
    const sql = `SELECT lower(hex(id)) AS id, group_concat(seq) AS seqs FROM
      (SELECT id, seq FROM txs ORDER BY id, seq) GROUP BY id HAVING count(*) > 1`;
    for (const r of this.#db.prepare(sql).iterate()) {
      const row = r as { id: string; seqs: string };
      yield { id: row.id, seqs: row.seqs.split(',').map(Number) };
    }
  }

  merkleNodes(ids: readonly NodeId[]): (Uint8Array | undefined)[] {
    return ids.map(({ level, index }) => {
      // A node at `level` hashes up from the 2^up stored nodes under it at `base` (none when up = 0).
      const up = level % TILE_HEIGHT;
      const base = level - up;
      const from = index * 2 ** up;
      const to = (index + 1) * 2 ** up;
      const rows = (base === 0
        ? this.#s.leaves!.all(from, to)
        : this.#s.nodes!.all(base, from, to)) as unknown as [unknown][];
      if (rows.length !== to - from) return undefined;
      let hashes: Uint8Array[] = [];
      for (const [h] of rows) {
        if (!(h instanceof Uint8Array) || h.length !== 32) return undefined;
        hashes.push(h);
      }
      while (hashes.length > 1) {
        const next: Uint8Array[] = [];
        for (let i = 0; i < hashes.length; i += 2)
          next.push(rfc6962.hashChildren(hashes[i]!, hashes[i + 1]!));
        hashes = next;
      }
      return hashes[0];
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
    this.#warmer?.close();
    this.#checkpointer?.close();
    if (this.#db.isOpen) this.#db.close();
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const TX_COLS = 'seq, lower(hex(id)) AS id, height, type, body, lower(hex(sig)) AS sig';
/**
 * Merkle nodes are stored in tiles of this height (research.swtch.com/tlog, "Tiling a log"): only
 * levels 4, 8, 12, … (level 0 is `txs.id`); a node in between is hashed up from at most 8 stored
 * nodes below it. ~65 rows per 1,000-tx block instead of ~1,000, for ≤ 7 hashes per proof node.
 */
const TILE_HEIGHT = 4;

function toBlock(r: BlockRow | undefined): StoredBlock | undefined {
  if (!r) return undefined;
  const b: StoredBlock = {
    height: r.height,
    hash: r.hash,
    header: r.header,
    signature: r.signature,
    firstSeq: r.first_seq,
  };
  return r.certificate === null ? b : { ...b, certificate: r.certificate };
}

function toTx(r: TxRow | undefined): StoredTx | undefined {
  if (!r) return undefined;
  return { seq: r.seq, id: r.id, height: r.height, type: r.type, body: r.body, sig: r.sig };
}

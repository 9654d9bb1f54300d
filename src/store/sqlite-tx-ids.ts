/**
 * @module
 * The transaction-id index of the SQLite store, kept so that an append costs the same at 10^6
 * transactions as at 10^4.
 *
 * Why not a UNIQUE index on `txs.id`: ids are SHA-256 hashes, so the ~1,000 ids of a block land on
 * ~1,000 different leaf pages of a B-tree once it has more than ~1,000 leaves (≈ 10^5 ids), and each
 * commit must write every dirtied page to the WAL (then checkpoint it), so the CPU of a commit grows
 * with the log.
 *
 * Instead the ids live in `tx_ids(id PRIMARY KEY, seq)`, filled by a rolling merge (O'Neil et al.,
 * "The Log-Structured Merge-Tree", 1996): the key space is cut into {@link SLICES} slices by the id's
 * first bits. Up to `buffer` ids wait in memory; past it, a block merges the slices merged longest
 * ago: their ids go into `tx_ids` sorted, each slice into one contiguous key range (≈ leaves / SLICES
 * pages). A merge dirties min(ids, leaves / SLICES) pages, so the buffer, not the block size, sets the
 * cost per id once the index is large (merging one slice per block made small blocks costly on a large
 * index; many small slices keep each merge, a pause of the commit that carries it, short). Ids not yet
 * merged are in `txs` (durable in the same commit) and in memory here; `tx_id_marks` records, per
 * slice, the log position below which every id of the slice is in `tx_ids`, so the in-memory part is
 * rebuilt exactly on open. Everything changes
 * inside the append transaction, so a crash leaves index and log consistent.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreConflictError } from '../core/errors.ts';

/** Number of key-space slices (a power of two ≤ 4,096), each merged as one contiguous key range. */
export const SLICES = 1024;
const SHIFT = 12 - Math.log2(SLICES);
/** The slices of databases written before: 128, so that slice s then is slices 8s … 8s + 7 now. */
const OLD_SLICES = 128;

export const TX_IDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS tx_ids (id BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tx_id_marks (slice INTEGER PRIMARY KEY, merged_to INTEGER NOT NULL);
`;

/** Ids held in memory before their slice is merged, by default: heap traded for fewer page writes per id. */
export const DEFAULT_TX_ID_BUFFER = 1 << 19;

/** Bound on remembered absent ids (about one submission window of a busy node). */
const MAX_ABSENT = 1 << 17;

const sliceOfHex = (id: string): number => Number.parseInt(id.slice(0, 3), 16) >> SHIFT;

const hasTable = (db: DatabaseSync, name: string): boolean =>
  db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** One id of a block being appended. */
export interface NewTxId {
  readonly id: string;
  readonly seq: number;
}

export class TxIdIndex {
  readonly #db: DatabaseSync;
  readonly #s: {
    probe: StatementSync;
    insert: StatementSync;
    mark: StatementSync;
    marks: StatementSync;
    since: StatementSync;
    version: StatementSync;
  };
  /** Per slice: ids (hex) at or above the slice's mark, not yet in `tx_ids`, with their seq. */
  readonly #tail: Map<string, number>[] = [];
  readonly #marks: number[] = [];
  /**
   * Ids `present` found stored nowhere. The ledger checks a batch on submission and appends it a moment
   * later: unless the id has been appended since (then it is dropped from here) or another connection
   * has written (then this is cleared), it is still absent, and the append need not probe again.
   */
  readonly #absent = new Set<string>();
  /** Every stored transaction below this seq has been seen by `#load`. */
  #loadedTo = -1;
  #version = -1;

  /** Reading a database written before this index existed: its UNIQUE index on `txs.id` answers. */
  readonly #legacy: boolean;
  readonly #buffer: number;
  readonly #oldMarks: boolean;

  /** `buffer`: ids held in memory before merging (default {@link DEFAULT_TX_ID_BUFFER}). */
  constructor(db: DatabaseSync, opts: { legacy?: boolean; buffer?: number } = {}) {
    this.#db = db;
    this.#legacy = opts.legacy ?? false;
    this.#buffer = opts.buffer ?? DEFAULT_TX_ID_BUFFER;
    const p = (sql: string): StatementSync => db.prepare(sql);
    const none = 'SELECT NULL, NULL WHERE 0';
    // A reader of a database whose writer has not moved its marks to this layout yet reads the old ones.
    this.#oldMarks = !this.#legacy && !hasTable(db, 'tx_id_marks') && hasTable(db, 'tx_id_slices');
    this.#s = {
      probe: p(this.#legacy ? 'SELECT seq FROM txs WHERE id = ?' : 'SELECT seq FROM tx_ids WHERE id = ?'),
      // A legacy database is only ever read here (a writer migrates it on open).
      insert: p(this.#legacy ? 'SELECT ?, ?' : 'INSERT INTO tx_ids (id, seq) VALUES (?, ?)'),
      mark: p(
        this.#legacy || this.#oldMarks
          ? 'SELECT ?, ?'
          : 'INSERT INTO tx_id_marks (slice, merged_to) VALUES (?, ?) ON CONFLICT(slice) DO UPDATE SET merged_to = excluded.merged_to',
      ),
      marks: p(
        this.#legacy
          ? none
          : `SELECT slice, merged_to FROM ${this.#oldMarks ? 'tx_id_slices' : 'tx_id_marks'}`,
      ),
      since: p('SELECT lower(hex(id)), seq FROM txs WHERE seq >= ? ORDER BY seq'),
      version: p('PRAGMA data_version'),
    };
    for (const s of Object.values(this.#s)) s.setReturnArrays(true);
    for (let i = 0; i < SLICES; i++) this.#tail.push(new Map());
  }

  /** Ids buffered in memory now, and the configured buffer. */
  get buffered(): { used: number; capacity: number } {
    let used = 0;
    for (const t of this.#tail) used += t.size;
    return { used, capacity: this.#buffer };
  }

  /** The log position of `id` (lowercase hex), or undefined. */
  seqOf(id: string): number | undefined {
    this.#sync();
    return this.#tail[sliceOfHex(id)]!.get(id) ?? this.#probe(id);
  }

  /** Which of `ids` (lowercase hex) are stored. */
  present(ids: readonly string[]): Set<string> {
    this.#sync();
    const found = new Set<string>();
    const probe: string[] = [];
    for (const id of ids) {
      if (this.#tail[sliceOfHex(id)]!.has(id)) found.add(id);
      else probe.push(id);
    }
    if (this.#absent.size + probe.length > MAX_ABSENT) this.#absent.clear();
    this.#read(() => {
      for (const id of probe.sort()) {
        if (this.#probe(id) !== undefined) found.add(id);
        else this.#absent.add(id);
      }
    });
    return found;
  }

  /**
   * Ids known to be stored nowhere without a probe (transactions just made here with a fresh nonce):
   * the append does not search `tx_ids` for them, a random leaf each at 10^7 ids. Bounded like every
   * absent id; one that is stored after all still fails its slice's merge (primary key).
   */
  noteAbsent(ids: readonly string[]): void {
    this.#sync();
    if (this.#absent.size + ids.length > MAX_ABSENT) this.#absent.clear();
    for (const id of ids) if (!this.#tail[sliceOfHex(id)]!.has(id)) this.#absent.add(id);
  }

  /** Looks `id` up in `tx_ids`. Callers probe in sorted order: neighbouring ids share B-tree pages. */
  #probe(id: string): number | undefined {
    return (this.#s.probe.get(Buffer.from(id, 'hex')) as unknown as [number] | undefined)?.[0];
  }

  /** Runs `fn` in one read transaction (unless one is open): one snapshot, no per-statement locking. */
  #read(fn: () => void): void {
    const own = !this.#db.isTransaction;
    if (own) this.#db.exec('BEGIN');
    try {
      fn();
    } finally {
      if (own) this.#db.exec('COMMIT');
    }
  }

  /**
   * Indexes the transactions of block `height`; call inside the append transaction. Throws
   * StoreConflictError when an id is already stored. Returns what to run once the transaction has
   * committed (the in-memory part changes only then, so a rolled-back append leaves it as it was).
   */
  add(height: number, txs: readonly NewTxId[]): () => void {
    this.#sync();
    const merging = this.#slicesToMerge(txs);
    const added: NewTxId[] = [];
    const merged: [string, number][] = [];
    for (const s of merging) for (const entry of this.#tail[s]!) merged.push(entry);
    const batch = new Set<string>();
    for (const t of txs) {
      const slice = sliceOfHex(t.id);
      if (batch.has(t.id) || this.#tail[slice]!.has(t.id)) throw new StoreConflictError(height, height);
      batch.add(t.id);
      if (merging.has(slice)) merged.push([t.id, t.seq]);
      else added.push(t);
    }
    // The merged slices' ids meet `tx_ids`' primary key below; the others are probed unless known absent.
    const unknown = added.filter((t) => !this.#absent.has(t.id));
    for (const id of unknown.map((t) => t.id).sort()) {
      if (this.#probe(id) !== undefined) throw new StoreConflictError(height, height);
    }
    // Sorted, so the inserts walk each slice's contiguous key range (lowercase hex sorts like the bytes).
    merged.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const insert = this.#s.insert;
    try {
      for (const [id, seq] of merged) insert.run(Buffer.from(id, 'hex'), seq);
    } catch (e) {
      if (e instanceof Error && e.message.includes('UNIQUE')) throw new StoreConflictError(height, height);
      throw e;
    }
    const end = txs.length > 0 ? txs[txs.length - 1]!.seq + 1 : this.#loadedTo;
    const marks = new Map([...merging].map((s) => [s, Math.max(end, this.#marks[s]!)]));
    for (const [s, mark] of marks) this.#s.mark.run(s, mark);
    return () => {
      for (const [s, mark] of marks) {
        this.#tail[s]!.clear();
        this.#marks[s] = mark;
      }
      for (const t of txs) this.#absent.delete(t.id);
      for (const t of added) this.#tail[sliceOfHex(t.id)]!.set(t.id, t.seq);
      this.#loadedTo = Math.max(this.#loadedTo, end);
    };
  }

  /**
   * The slices to merge with a block of `txs`: none while the buffer holds them, else the slices merged
   * longest ago (their marks are the oldest) until it does. Oldest first merges each slice once per
   * ~2 buffers of new ids (a slice holds 2 × buffer / SLICES ids when merged, half that on average),
   * bounds the log read on open (from the oldest mark) to about 2 buffers, and spreads the merges over
   * the blocks instead of all slices filling up and merging at once.
   */
  #slicesToMerge(txs: readonly NewTxId[]): Set<number> {
    const merging = new Set<number>();
    const arriving = new Array<number>(SLICES).fill(0);
    for (const t of txs) arriving[sliceOfHex(t.id)]!++;
    let held = txs.length;
    for (const tail of this.#tail) held += tail.size;
    if (held <= this.#buffer) return merging;
    while (held > this.#buffer && merging.size < SLICES) {
      let oldest = -1;
      for (let s = 0; s < SLICES; s++)
        if (!merging.has(s) && (oldest < 0 || this.#marks[s]! < this.#marks[oldest]!)) oldest = s;
      merging.add(oldest);
      held -= this.#tail[oldest]!.size + arriving[oldest]!;
    }
    return merging;
  }

  /**
   * Reads the ids not yet merged from the log now rather than at the first lookup (a writer opening: on
   * a long log that read is slow, and the first request would otherwise wait for it).
   */
  load(): void {
    this.#sync();
  }

  /** Brings the in-memory part up to date when another connection has committed (or on first use). */
  #sync(): void {
    if (this.#legacy) return;
    const version = (this.#s.version.get() as unknown as [number])[0];
    if (version === this.#version && this.#loadedTo >= 0) return;
    this.#absent.clear(); // another connection has written: what it added is not in the tail yet
    this.#read(() => {
      this.#load();
    });
    this.#version = version;
  }

  #load(): void {
    const marks = new Array<number>(SLICES).fill(0);
    const spread = this.#oldMarks ? SLICES / OLD_SLICES : 1;
    for (const [slice, to] of this.#s.marks.all() as unknown as [number, number][]) {
      for (let k = 0; k < spread; k++)
        if (slice >= 0 && slice * spread + k < SLICES) marks[slice * spread + k] = to;
    }
    for (let s = 0; s < SLICES; s++) {
      if (marks[s] === this.#marks[s]) continue;
      const tail = this.#tail[s]!;
      for (const [id, seq] of tail) if (seq < marks[s]!) tail.delete(id);
      this.#marks[s] = marks[s]!;
    }
    const from = Math.max(this.#loadedTo, Math.min(...marks));
    for (const [id, seq] of this.#s.since.iterate(from) as unknown as Iterable<[string, number]>) {
      this.#loadedTo = seq + 1;
      if (id.length !== 64) continue; // a damaged row: verification reports it
      const slice = sliceOfHex(id);
      if (seq >= marks[slice]!) this.#tail[slice]!.set(id, seq);
    }
    this.#loadedTo = Math.max(this.#loadedTo, from);
  }
}

/** Whether `txs.id` carries the UNIQUE index of the schema before {@link TxIdIndex}. */
export function hasUniqueTxIds(db: DatabaseSync): boolean {
  return db.prepare("SELECT 1 AS u FROM pragma_index_list('txs') WHERE origin = 'u'").get() !== undefined;
}

/**
 * Moves a database of the earlier schema to {@link TxIdIndex} in one transaction: rebuilds `txs` with
 * `txsSchema` (the table without the UNIQUE index, and its other indexes) and puts every id in `tx_ids`.
 */
export function migrateLegacyTxIds(db: DatabaseSync, txsSchema: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`ALTER TABLE txs RENAME TO txs_legacy; ${txsSchema}
      INSERT INTO txs SELECT seq, id, height, type, body, sig FROM txs_legacy ORDER BY seq;
      DROP TABLE txs_legacy; ${txsSchema}
      INSERT INTO tx_ids (id, seq) SELECT id, seq FROM txs ORDER BY id;`);
    const end = (db.prepare('SELECT coalesce(max(seq) + 1, 0) AS n FROM txs').get() as { n: number }).n;
    const mark = db.prepare('INSERT OR REPLACE INTO tx_id_marks (slice, merged_to) VALUES (?, ?)');
    for (let slice = 0; slice < SLICES; slice++) mark.run(slice, end);
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/**
 * Moves the merge marks of a database written with {@link OLD_SLICES} slices to this layout, in one
 * transaction: each old slice's mark holds for the slices it is cut into.
 */
export function migrateSliceMarks(db: DatabaseSync): void {
  if (!hasTable(db, 'tx_id_slices')) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const old = db.prepare('SELECT slice, merged_to FROM tx_id_slices').all() as {
      slice: number;
      merged_to: number;
    }[];
    const mark = db.prepare('INSERT OR REPLACE INTO tx_id_marks (slice, merged_to) VALUES (?, ?)');
    const spread = SLICES / OLD_SLICES;
    for (const { slice, merged_to } of old)
      for (let k = 0; k < spread; k++) mark.run(slice * spread + k, merged_to);
    db.exec('DROP TABLE tx_id_slices');
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

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
 * merged are in `txs` (durable in the same commit) and in memory here; `tx_id_merged` records, per
 * slice, the log position below which every id of the slice is in `tx_ids`, so the in-memory part is
 * rebuilt exactly on open. Everything changes
 * inside the append transaction, so a crash leaves index and log consistent.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreConflictError } from '../core/errors.ts';
import { TxIdBuffer } from './tx-id-buffer.ts';
import type { TxIdWarmer } from './tx-id-warmer.ts';

/**
 * Number of key-space slices (a power of two ≤ 4,096), each merged as one contiguous key range. The
 * pages a merge writes per id do not depend on it (a slice gathers 2 × buffer / SLICES ids and spans
 * leaves / SLICES pages); more slices make each merge, a pause of the commit that carries it, shorter.
 */
export const SLICES = 4096;
const SHIFT = 12 - Math.log2(SLICES);
/** The marks table of this layout; slice s is the ids whose first 12 bits are s. */
const MARKS = 'tx_id_merged';

/** Mark tables of databases written before, newest first: old slice s is slices s × spread … now. */
const OLD_LAYOUTS: readonly { readonly table: string; readonly slices: number }[] = [
  { table: 'tx_id_marks', slices: 1024 },
  { table: 'tx_id_slices', slices: 128 },
];

export const TX_IDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS tx_ids (id BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${MARKS} (slice INTEGER PRIMARY KEY, merged_to INTEGER NOT NULL);
`;

/** The layout of an earlier version whose marks `db` still holds (none once a writer has moved them). */
function oldLayout(db: DatabaseSync): { table: string; slices: number } | undefined {
  if (hasTable(db, MARKS)) return undefined;
  return OLD_LAYOUTS.find((l) => hasTable(db, l.table));
}

/** Ids held in memory before their slice is merged, by default: heap traded for fewer page writes per id. */
export const DEFAULT_TX_ID_BUFFER = 1 << 19;

/** Slices read ahead of their merge (about two seconds of merges at 3,500 transactions/s). */
const WARM_AHEAD = 32;

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
  /** Per slice: ids at or above the slice's mark, not yet in `tx_ids`, with their seq. */
  readonly #tail = new TxIdBuffer(SLICES);
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
  readonly #warmer: TxIdWarmer | undefined;
  /** Slices asked to be read ahead since their last merge. */
  readonly #warmed = new Set<number>();
  /** The earlier layout whose marks a reader reads until a writer has moved them. */
  readonly #old: { table: string; slices: number } | undefined;

  /** `buffer`: ids held in memory before merging (default {@link DEFAULT_TX_ID_BUFFER}). */
  /** `warmer`: reads the slices next in line ahead of their merge (a writer's). */
  constructor(db: DatabaseSync, opts: { legacy?: boolean; buffer?: number; warmer?: TxIdWarmer } = {}) {
    this.#db = db;
    this.#warmer = opts.warmer;
    this.#legacy = opts.legacy ?? false;
    this.#buffer = opts.buffer ?? DEFAULT_TX_ID_BUFFER;
    const p = (sql: string): StatementSync => db.prepare(sql);
    const none = 'SELECT NULL, NULL WHERE 0';
    // A reader of a database whose writer has not moved its marks to this layout yet reads the old ones.
    this.#old = this.#legacy ? undefined : oldLayout(db);
    this.#s = {
      probe: p(this.#legacy ? 'SELECT seq FROM txs WHERE id = ?' : 'SELECT seq FROM tx_ids WHERE id = ?'),
      // A legacy database is only ever read here (a writer migrates it on open).
      insert: p(this.#legacy ? 'SELECT ?, ?' : 'INSERT INTO tx_ids (id, seq) VALUES (?, ?)'),
      mark: p(
        this.#legacy || this.#old !== undefined
          ? 'SELECT ?, ?'
          : `INSERT INTO ${MARKS} (slice, merged_to) VALUES (?, ?) ON CONFLICT(slice) DO UPDATE SET merged_to = excluded.merged_to`,
      ),
      marks: p(this.#legacy ? none : `SELECT slice, merged_to FROM ${this.#old?.table ?? MARKS}`),
      since: p('SELECT lower(hex(id)), seq FROM txs WHERE seq >= ? ORDER BY seq'),
      version: p('PRAGMA data_version'),
    };
    for (const s of Object.values(this.#s)) s.setReturnArrays(true);
  }

  /** Ids buffered in memory now, and the configured buffer. */
  get buffered(): { used: number; capacity: number } {
    return { used: this.#tail.size, capacity: this.#buffer };
  }

  /** The log position of `id` (lowercase hex), or undefined. */
  seqOf(id: string): number | undefined {
    this.#sync();
    return this.#tail.get(id) ?? this.#probe(id);
  }

  /** Which of `ids` (lowercase hex) are stored. */
  present(ids: readonly string[]): Set<string> {
    this.#sync();
    const found = new Set<string>();
    const probe: string[] = [];
    for (const id of ids) {
      if (this.#tail.has(id)) found.add(id);
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
    for (const id of ids) if (!this.#tail.has(id)) this.#absent.add(id);
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
    const merged: { id: Buffer; seq: number }[] = [];
    for (const s of merging) merged.push(...this.#tail.entries(s));
    const batch = new Set<string>();
    for (const t of txs) {
      const slice = sliceOfHex(t.id);
      if (batch.has(t.id) || this.#tail.has(t.id)) throw new StoreConflictError(height, height);
      batch.add(t.id);
      if (merging.has(slice)) merged.push({ id: Buffer.from(t.id, 'hex'), seq: t.seq });
      else added.push(t);
    }
    // The merged slices' ids meet `tx_ids`' primary key below; the others are probed unless known absent.
    const unknown = added.filter((t) => !this.#absent.has(t.id));
    for (const id of unknown.map((t) => t.id).sort()) {
      if (this.#probe(id) !== undefined) throw new StoreConflictError(height, height);
    }
    // Sorted, so the inserts walk each slice's contiguous key range.
    merged.sort((a, b) => Buffer.compare(a.id, b.id));
    const insert = this.#s.insert;
    try {
      for (const { id, seq } of merged) insert.run(id, seq);
    } catch (e) {
      if (e instanceof Error && e.message.includes('UNIQUE')) throw new StoreConflictError(height, height);
      throw e;
    }
    const end = txs.length > 0 ? txs[txs.length - 1]!.seq + 1 : this.#loadedTo;
    const marks = new Map([...merging].map((s) => [s, Math.max(end, this.#marks[s]!)]));
    for (const [s, mark] of marks) this.#s.mark.run(s, mark);
    return () => {
      for (const [s, mark] of marks) {
        this.#tail.clear(s);
        this.#marks[s] = mark;
      }
      for (const t of txs) this.#absent.delete(t.id);
      for (const t of added) this.#tail.add(t.id, t.seq, sliceOfHex(t.id));
      this.#loadedTo = Math.max(this.#loadedTo, end);
      for (const s of marks.keys()) this.#warmed.delete(s);
      this.#warmAhead(marks.size > 0);
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
    let held = txs.length + this.#tail.size;
    if (held <= this.#buffer) return merging;
    while (held > this.#buffer && merging.size < SLICES) {
      let oldest = -1;
      for (let s = 0; s < SLICES; s++)
        if (!merging.has(s) && (oldest < 0 || this.#marks[s]! < this.#marks[oldest]!)) oldest = s;
      merging.add(oldest);
      held -= this.#tail.sizeOf(oldest) + arriving[oldest]!;
    }
    return merging;
  }

  /**
   * Asks for the {@link WARM_AHEAD} slices next in line (oldest marks) to be read ahead, once merges
   * are near (the buffer 90 % full) and after each merge.
   */
  #warmAhead(merged: boolean): void {
    if (this.#warmer === undefined || this.#tail.size < this.#buffer * 0.9) return;
    if (!merged && this.#warmed.size > 0) return;
    const next: number[] = []; // the oldest slices so far, oldest first
    for (let s = 0; s < SLICES; s++) {
      const m = this.#marks[s]!;
      if (next.length === WARM_AHEAD && m >= this.#marks[next[WARM_AHEAD - 1]!]!) continue;
      let i = next.length;
      while (i > 0 && this.#marks[next[i - 1]!]! > m) i--;
      next.splice(i, 0, s);
      if (next.length > WARM_AHEAD) next.pop();
    }
    const wanted = next.filter((s) => !this.#warmed.has(s));
    for (const s of wanted) this.#warmed.add(s);
    this.#warmer.warm(wanted);
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
    const spread = this.#old === undefined ? 1 : SLICES / this.#old.slices;
    for (const [slice, to] of this.#s.marks.all() as unknown as [number, number][]) {
      for (let k = 0; k < spread; k++)
        if (slice >= 0 && slice * spread + k < SLICES) marks[slice * spread + k] = to;
    }
    for (let s = 0; s < SLICES; s++) {
      if (marks[s] === this.#marks[s]) continue;
      this.#tail.dropBelow(s, marks[s]!);
      this.#marks[s] = marks[s]!;
    }
    const from = Math.max(this.#loadedTo, Math.min(...marks));
    for (const [id, seq] of this.#s.since.iterate(from) as unknown as Iterable<[string, number]>) {
      this.#loadedTo = seq + 1;
      if (id.length !== 64) continue; // a damaged row: verification reports it
      const slice = sliceOfHex(id);
      // A duplicate id (a tampered log) is held once: verification reports it.
      if (seq >= marks[slice]! && !this.#tail.has(id)) this.#tail.add(id, seq, slice);
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
    const mark = db.prepare(`INSERT OR REPLACE INTO ${MARKS} (slice, merged_to) VALUES (?, ?)`);
    for (let slice = 0; slice < SLICES; slice++) mark.run(slice, end);
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/**
 * Moves the merge marks of a database written with fewer slices (128 or 1,024) to this layout, in one
 * transaction: each old slice's mark holds for the slices it is cut into. Call before creating the
 * schema's marks table.
 */
export function migrateSliceMarks(db: DatabaseSync): void {
  const layout = oldLayout(db);
  if (layout === undefined) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const old = db.prepare(`SELECT slice, merged_to FROM ${layout.table}`).all() as {
      slice: number;
      merged_to: number;
    }[];
    db.exec(`CREATE TABLE ${MARKS} (slice INTEGER PRIMARY KEY, merged_to INTEGER NOT NULL)`);
    const mark = db.prepare(`INSERT OR REPLACE INTO ${MARKS} (slice, merged_to) VALUES (?, ?)`);
    const spread = SLICES / layout.slices;
    for (const { slice, merged_to } of old)
      for (let k = 0; k < spread; k++) mark.run(slice * spread + k, merged_to);
    for (const l of OLD_LAYOUTS) db.exec(`DROP TABLE IF EXISTS ${l.table}`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

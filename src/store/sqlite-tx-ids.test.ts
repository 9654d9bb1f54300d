import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { StoreConflictError } from '../core/errors.ts';
import { SqliteStore } from './sqlite-store.ts';
import { SLICES } from './sqlite-tx-ids.ts';
import { sliceRange, ThreadWarmer } from './tx-id-warmer.ts';
import type { AppendBatch, StoredTx } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-txids-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
let files = 0;
const fresh = (): string => join(dir, `s${++files}.sqlite`);
/**
 * A writer without fsync: these tests are about the index, not durability, and append many blocks.
 * Its buffer holds one slice's worth of ids on average; with 0, each block merges every id it brings.
 */
function writer(path: string, txIdBuffer = SLICES): SqliteStore {
  const store = new SqliteStore(path, { txIdBuffer });
  store.exec('PRAGMA synchronous = OFF');
  return store;
}

/** A pseudo-random id per seq (SHA-256), so ids spread over every slice as real ones do. */
const idOf = (seq: number, salt = ''): string => createHash('sha256').update(`${salt}${seq}`).digest('hex');

function block(height: number, firstSeq: number, count: number, ids?: string[]): AppendBatch {
  const txs: StoredTx[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    txs.push({
      seq,
      id: ids?.[i] ?? idOf(seq),
      height,
      type: 'data.put',
      body: `{"n":${seq}}`,
      sig: '00'.repeat(64),
    });
  }
  const hash = createHash('sha256').update(`block ${height}`).digest('hex');
  return { block: { height, hash, header: '{}', signature: '11'.repeat(64), firstSeq }, txs, nodes: [] };
}

/** Ids in `tx_ids` (merged), read through a connection of its own. */
function mergedCount(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tx_ids').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Appends `blocks` blocks of `per` transactions; returns the log size. */
function fill(store: SqliteStore, from: number, blocks: number, per: number): number {
  let seq = from * per;
  for (let h = from; h < from + blocks; h++) {
    store.append(block(h, seq, per));
    seq += per;
  }
  return seq;
}

function assertAllFound(store: SqliteStore, size: number): void {
  for (let seq = 0; seq < size; seq++) assert.equal(store.txById(idOf(seq))?.seq, seq, `seq ${seq}`);
  const ids = Array.from({ length: size }, (_, s) => idOf(s));
  assert.equal(store.presentTxIds([...ids, idOf(0, 'absent')]).size, size);
}

describe('SQLite transaction-id index', () => {
  it('rejects a duplicate of an id already merged into tx_ids, atomically', () => {
    const path = fresh();
    const store = writer(path);
    const size = fill(store, 0, SLICES + 2, 4);
    const n = store.txCount();
    // The oldest slices are merged first: the first block's ids are all in tx_ids by now.
    assert.ok(mergedCount(path) >= size - SLICES);
    for (const dup of [idOf(0), idOf(1), idOf(2), idOf(3)]) {
      assert.throws(() => {
        store.append(block(SLICES + 2, size, 2, [idOf(size, 'new'), dup]));
      }, StoreConflictError);
    }
    assert.equal(store.txCount(), n);
    assert.equal(store.head()?.height, SLICES + 1);
    assertAllFound(store, size);
    store.close();
  });

  it('rejects a duplicate not yet merged, and one repeated within a block', () => {
    const store = writer(fresh());
    const size = fill(store, 0, 3, 4);
    assert.throws(() => {
      store.append(block(3, size, 2, [idOf(size), idOf(size - 1)]));
    }, StoreConflictError);
    assert.throws(() => {
      store.append(block(3, size, 2, [idOf(size), idOf(size)]));
    }, StoreConflictError);
    store.append(block(3, size, 2));
    assertAllFound(store, size + 2);
    store.close();
  });

  it("appends an id noted unseen without searching tx_ids; a false note fails at its slice's merge", () => {
    const path = fresh();
    let store = writer(path, 0);
    let seq = fill(store, 0, 4, 4); // every id merged at once: idOf(0) is in tx_ids
    store.close();
    store = writer(path, 64);
    let h = 4;
    const dup = idOf(0);
    // Searched, the duplicate is refused; noted unseen (a promise only a fresh nonce can make), it is not.
    assert.throws(() => {
      store.append(block(h, seq, 1, [dup]));
    }, StoreConflictError);
    store.noteUnseen([dup]);
    store.append(block(h++, seq++, 1, [dup]));
    // Its slice's merge meets tx_ids' primary key: the broken promise surfaces there, within about
    // one buffer of blocks, and the block that met it is refused whole.
    let failedAt: number | undefined;
    for (let k = 0; k < 4 * SLICES && failedAt === undefined; k++) {
      try {
        store.append(block(h, seq, 1, [idOf(seq, 'after')]));
        h++;
        seq++;
      } catch (e) {
        assert.ok(e instanceof StoreConflictError);
        failedAt = h;
      }
    }
    assert.ok(failedAt !== undefined && failedAt > 5, String(failedAt));
    assert.equal(store.head()?.height, failedAt - 1);
    assert.equal(store.txCount(), seq);
    store.close();
  });

  it('rejects an id that was absent when checked and has been appended since', () => {
    const store = writer(fresh());
    let seq = 0;
    // Each id is checked (absent), appended, then offered again in the next block: in the tail, or
    // merged into tx_ids by the append that took it (its slice's turn), the store must say so.
    for (let h = 0; h < 2 * SLICES + 3; h++) {
      const b = block(h, seq, 8);
      const ids = b.txs.map((t) => t.id);
      assert.equal(store.presentTxIds(ids).size, 0);
      store.append(b);
      seq += 8;
      for (const id of ids) {
        assert.throws(() => {
          store.append(block(h + 1, seq, 2, [idOf(seq, 'fresh'), id]));
        }, StoreConflictError);
      }
    }
    assertAllFound(store, seq);
    store.close();
  });

  it('rejects an id that another connection appended, even into tx_ids, after it was checked', () => {
    const path = fresh();
    const a = writer(path);
    const size = fill(a, 0, 3, 2);
    // The other writer buffers nothing: its append puts the id straight into tx_ids.
    const x = idOf(0, 'x');
    assert.equal(a.presentTxIds([x]).size, 0);
    const b = writer(path, 0);
    b.append(block(3, size, 1, [x]));
    b.close();
    assert.equal(mergedCount(path), size + 1);
    assert.throws(() => {
      a.append(block(4, size + 1, 1, [x]));
    }, StoreConflictError);
    assert.equal(a.txById(x)?.seq, size);
    a.close();
  });

  it('finds every id after merges, across a reopen and from a read-only connection', () => {
    const path = fresh();
    let store = writer(path);
    let size = fill(store, 0, 2 * SLICES + 5, 3);
    assertAllFound(store, size);
    store.close();
    store = writer(path);
    assertAllFound(store, size);
    const reader = new SqliteStore(path, { readOnly: true });
    assertAllFound(reader, size);
    // The writer goes on (merging slices the reader holds in memory): the reader follows.
    size = fill(store, 2 * SLICES + 5, SLICES, 3);
    assertAllFound(reader, size);
    assertAllFound(store, size);
    reader.close();
    store.close();
  });

  it('holds ids in memory up to its buffer, then merges the oldest slices, and reopens exactly', () => {
    const path = fresh();
    const buffer = 4 * SLICES;
    const per = 3;
    let store = writer(path, buffer);
    let size = fill(store, 0, SLICES, per);
    assert.equal(mergedCount(path), 0);
    assert.equal(store.txIdBuffer.used, size);
    size = fill(store, SLICES, 10 * SLICES, per);
    const merged = mergedCount(path);
    assert.equal(store.txIdBuffer.used + merged, size);
    assert.ok(store.txIdBuffer.used <= buffer, String(store.txIdBuffer.used));
    // Merging the slices in turn, not one slice over and over: the first blocks' ids are all merged.
    const db = new DatabaseSync(path, { readOnly: true });
    const marks = db.prepare('SELECT merged_to FROM tx_id_merged').all() as { merged_to: number }[];
    db.close();
    assert.equal(marks.length, SLICES);
    const oldest = Math.min(...marks.map((m) => m.merged_to));
    assert.ok(oldest > size - 3 * buffer, `oldest mark ${String(oldest)}, log ${String(size)}`);
    assertAllFound(store, size);
    assert.throws(() => {
      store.append(block(11 * SLICES, size, 2, [idOf(size, 'new'), idOf(7)]));
    }, StoreConflictError);
    store.close();
    // The buffer comes back from the log on open, whatever buffer the new connection is given.
    store = writer(path);
    assertAllFound(store, size);
    assert.equal(store.txIdBuffer.used + mergedCount(path), size);
    store.close();
  });

  // The layouts before: 128 slices by the first 7 bits (table tx_id_slices), then 1,024 by the first 10
  // (tx_id_marks). Each is written by hand: an even slice merged up to half the log, an odd one never
  // (no mark row); every id of a slice below its mark is in tx_ids, none above.
  for (const old of [
    { table: 'tx_id_slices', slices: 128 },
    { table: 'tx_id_marks', slices: 1024 },
  ]) {
    it(`moves the marks of a database written with ${String(old.slices)} slices, and finds every id after`, () => {
      const path = fresh();
      let store = writer(path, 1e9); // nothing merged: the old layout is written by hand below
      let size = fill(store, 0, 3 * SLICES, 2);
      store.close();
      const half = size / 2;
      const oldSlice = (id: string): number =>
        Number.parseInt(id.slice(0, 3), 16) >> (12 - Math.log2(old.slices));
      const db = new DatabaseSync(path);
      db.exec(
        `DROP TABLE tx_id_merged; CREATE TABLE ${old.table} (slice INTEGER PRIMARY KEY, merged_to INTEGER NOT NULL)`,
      );
      const insId = db.prepare('INSERT INTO tx_ids (id, seq) VALUES (?, ?)');
      for (let seq = 0; seq < half; seq++) {
        const id = idOf(seq);
        if (oldSlice(id) % 2 === 0) insId.run(Buffer.from(id, 'hex'), seq);
      }
      const insMark = db.prepare(`INSERT INTO ${old.table} (slice, merged_to) VALUES (?, ?)`);
      for (let o = 0; o < old.slices; o += 2) insMark.run(o, half);
      db.close();
      // A reader before any writer has moved them reads the old marks.
      const reader = new SqliteStore(path, { readOnly: true });
      assertAllFound(reader, size);
      reader.close();
      store = writer(path, SLICES);
      assertAllFound(store, size);
      for (const dup of [idOf(0), idOf(half + 1)]) {
        assert.throws(() => {
          store.append(block(3 * SLICES, size, 2, [idOf(size, 'new'), dup]));
        }, StoreConflictError);
      }
      // Merging goes on over the moved marks without meeting an id twice.
      size = fill(store, 3 * SLICES, 2 * SLICES, 2);
      assertAllFound(store, size);
      assert.equal(store.txIdBuffer.used + mergedCount(path), size);
      store.close();
      const check = new DatabaseSync(path, { readOnly: true });
      const tables = check
        .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'tx_id_%' ORDER BY name")
        .all();
      const marks = check.prepare('SELECT count(*) AS n FROM tx_id_merged').get() as { n: number };
      check.close();
      assert.deepEqual(
        tables.map((t) => ({ ...t })),
        [{ name: 'tx_id_merged' }, { name: 'tx_ids' }],
      );
      assert.ok(marks.n >= SLICES / 2, String(marks.n));
    });
  }

  it('ignores an index entry whose row was changed behind its back', () => {
    const path = fresh();
    const store = writer(path);
    fill(store, 0, 2, 2);
    store.exec(`UPDATE txs SET id = x'${'ab'.repeat(32)}' WHERE seq = 1`);
    assert.equal(store.txById(idOf(1)), undefined);
    assert.equal(store.txById(idOf(2))?.seq, 2);
    store.close();
  });

  it('migrates a database of the earlier schema (UNIQUE txs.id)', () => {
    const path = fresh();
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE txs (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, height INTEGER NOT NULL,
      type TEXT NOT NULL, body TEXT NOT NULL, sig BLOB NOT NULL);
      CREATE INDEX txs_type ON txs(type, seq);
      CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, header TEXT NOT NULL,
      signature BLOB NOT NULL, first_seq INTEGER NOT NULL, certificate TEXT);
      CREATE TABLE merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
      PRIMARY KEY (level, idx)) WITHOUT ROWID;
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`);
    const ins = db.prepare('INSERT INTO txs VALUES (?, ?, 0, ?, ?, ?)');
    for (let seq = 0; seq < 5; seq++) {
      ins.run(seq, Buffer.from(idOf(seq), 'hex'), 'data.put', `{"n":${seq}}`, Buffer.alloc(64));
    }
    db.prepare('INSERT INTO blocks VALUES (0, ?, ?, ?, 0, NULL)').run(
      Buffer.alloc(32, 1),
      '{}',
      Buffer.alloc(64),
    );
    db.close();

    const reader = new SqliteStore(path, { readOnly: true });
    assertAllFound(reader, 5);
    reader.close();
    const store = writer(path);
    assertAllFound(store, 5);
    assert.deepEqual(
      [...store.txsOfTypes(['data.put'])].map((t) => t.seq),
      [0, 1, 2, 3, 4],
    );
    assert.throws(() => {
      store.append(block(1, 5, 1, [idOf(2)]));
    }, StoreConflictError);
    fill(store, 1, SLICES + 1, 5);
    assertAllFound(store, 5 * (SLICES + 2));
    store.close();
    const check = new DatabaseSync(path, { readOnly: true });
    const indexes = check.prepare("SELECT name, origin FROM pragma_index_list('txs')").all();
    check.close();
    assert.deepEqual(
      indexes.map((i) => ({ ...i })),
      [{ name: 'txs_type', origin: 'c' }],
    );
  });
});

describe('reading the id index ahead of its merges', () => {
  it('asks for each slice to be read before it is merged', () => {
    const path = fresh();
    const asked: number[] = [];
    const warmer = {
      warm: (slices: readonly number[]) => asked.push(...slices),
      close: () => undefined,
    };
    const store = new SqliteStore(path, { txIdBuffer: SLICES, txIdWarmer: warmer });
    store.exec('PRAGMA synchronous = OFF');
    const marksOf = (): Map<number, number> => {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        const rows = db.prepare('SELECT slice, merged_to FROM tx_id_merged').all() as {
          slice: number;
          merged_to: number;
        }[];
        return new Map(rows.map((r) => [r.slice, r.merged_to]));
      } finally {
        db.close();
      }
    };
    const per = 3;
    let size = fill(store, 0, Math.ceil((0.8 * SLICES) / per), per);
    assert.equal(asked.length, 0, 'nothing asked while the buffer is far from full');
    let marks = marksOf();
    let merges = 0;
    let unasked = 0;
    for (let h = Math.ceil((0.8 * SLICES) / per); merges < 300; h++) {
      const before = new Set(asked);
      store.append(block(h, size, per));
      size += per;
      const now = marksOf();
      for (const [s, m] of now) {
        if (marks.get(s) === m) continue;
        merges++;
        if (!before.has(s)) unasked++;
      }
      marks = now;
    }
    // The first merges may come before the first read-ahead lands; none after.
    assert.ok(unasked <= 3, `${String(unasked)} of ${String(merges)} merged slices were not read ahead`);
    assertAllFound(store, size);
    store.close();
  });

  it('reads the key range of each slice it is asked for, on a thread of its own', async () => {
    const path = fresh();
    const store = writer(path, 0); // every id merged at once
    const size = fill(store, 0, 50, 40);
    store.close();
    assert.deepEqual(
      sliceRange(1, 4096).map((b) =>
        b === undefined ? undefined : Buffer.from(b).toString('hex').slice(0, 6),
      ),
      ['001000', '002000'],
    );
    assert.equal(Buffer.from(sliceRange(4095, 4096)[0]).toString('hex').slice(0, 4), 'fff0');
    assert.equal(sliceRange(4095, 4096)[1], undefined);
    const bySlice = new Map<number, number>();
    for (let seq = 0; seq < size; seq++) {
      const s = Number.parseInt(idOf(seq).slice(0, 3), 16) >> (12 - Math.log2(SLICES));
      bySlice.set(s, (bySlice.get(s) ?? 0) + 1);
    }
    const some = [...bySlice.keys()].slice(0, 20);
    const warmer = new ThreadWarmer(path, SLICES);
    try {
      const rows = await warmer.warmed([...some, SLICES - 1]);
      assert.equal(rows, some.reduce((n, s) => n + bySlice.get(s)!, 0) + (bySlice.get(SLICES - 1) ?? 0));
    } finally {
      warmer.close();
    }
    assert.equal(await warmer.warmed([0]), 0, 'a closed warmer reads nothing');
  });
});

/**
 * @module
 * Tamper evidence, end to end: a real ledger is built once, then each case copies its data directory,
 * edits the SQLite file behind the ledger's back (plain node:sqlite, no ledger code) and runs the real
 * CLI `verify`. Every case must fail with exit status 1 and name the exact place of the edit: block
 * height, transaction index within the block (seq − first_seq) and the kind of check that failed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Problem, ProblemKind } from '../src/core/problem.ts';
import { ChainNode } from '../src/chain/chain-node.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BLOCKS = 8;
/** Transactions in block b (1..8): 3, 4, 5, 3, 4, 5, … so indices and positions differ per block. */
const txsIn = (b: number): number => 3 + (b % 3);

interface Expect {
  readonly height: number;
  readonly tx?: number;
  readonly kind: ProblemKind;
}

interface Report {
  readonly ok: boolean;
  readonly height: number;
  readonly txs: number;
  readonly verifiedFrom: number;
  readonly problems: Problem[];
}

interface Layout {
  /** first_seq of each block, by height. */
  readonly firstSeq: number[];
  readonly txCount: number;
}

interface Case {
  readonly desc: string;
  readonly edit: (db: DatabaseSync, l: Layout) => void;
  /** Problems that must all be reported; the lowest of their heights must be the lowest reported. */
  readonly expect: readonly Expect[];
}

let root: string;
let pristine: string;
let layout: Layout;
let copies = 0;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'medledger-tamper-'));
  pristine = join(root, 'pristine');
  const ledger = await ChainNode.init(pristine, { difficulty: 4 });
  try {
    for (let b = 1; b <= BLOCKS; b++) {
      for (let i = 0; i < txsIn(b); i++) await ledger.addData({ patient: `p${b}`, reading: b * 100 + i });
      await ledger.mine();
    }
  } finally {
    await ledger.close();
  }
  const db = new DatabaseSync(join(pristine, 'ledger.sqlite'), { readOnly: true });
  try {
    const rows = db.prepare('SELECT first_seq FROM blocks ORDER BY height').all() as { first_seq: number }[];
    const n = (db.prepare('SELECT count(*) AS n FROM txs').get() as { n: number }).n;
    layout = { firstSeq: rows.map((r) => r.first_seq), txCount: n };
  } finally {
    db.close();
  }
  assert.equal(layout.firstSeq.length, BLOCKS + 1);
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of the pristine data directory, edited with `edit` through node:sqlite. */
function tamperedCopy(edit?: (db: DatabaseSync, l: Layout) => void): string {
  const dir = join(root, `copy-${++copies}`);
  cpSync(pristine, dir, { recursive: true });
  if (edit) {
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    try {
      edit(db, layout);
    } finally {
      db.close();
    }
  }
  return dir;
}

function cli(dir: string, ...flags: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/main.ts', 'verify', '--data', dir, ...flags], {
    cwd: REPO,
    timeout: 60_000,
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function verifyJson(dir: string, ...flags: string[]): { status: number | null; report: Report } {
  const r = cli(dir, ...flags, '--json');
  assert.notEqual(r.stdout, '', `verify printed nothing; stderr: ${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as Report };
}

const where = (p: Expect): string => `${p.kind}@${p.height}${p.tx === undefined ? '' : `/${p.tx}`}`;

function assertNamed(report: Report, expect: readonly Expect[]): void {
  const found = report.problems.map(where);
  for (const e of expect) {
    assert.ok(
      report.problems.some((p) => p.height === e.height && p.tx === e.tx && p.kind === e.kind),
      `want ${where(e)}, got [${found.join(', ')}]`,
    );
  }
  // Nothing before the edit is blamed: the first problem is at the first tampered height.
  const lowest = Math.min(...expect.map((e) => e.height));
  assert.equal(Math.min(...report.problems.map((p) => p.height)), lowest, `got [${found.join(', ')}]`);
}

// ---- edits (plain SQL; blobs are read, changed by one byte and written back) ----

function flipByte(b: Uint8Array, at: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[at]! ^= 0x01;
  return c;
}

/** The log position of transaction `index` of block `height` (tx index = seq − first_seq). */
function seqOf(l: Layout, height: number, index: number): number {
  assert.ok(index < txsIn(height), `block ${height} has ${txsIn(height)} transactions`);
  return l.firstSeq[height]! + index;
}

function editBlob(db: DatabaseSync, table: 'blocks' | 'txs', col: string, key: string, id: number): void {
  const row = db.prepare(`SELECT ${col} AS v FROM ${table} WHERE ${key} = ?`).get(id) as { v: Uint8Array };
  db.prepare(`UPDATE ${table} SET ${col} = ? WHERE ${key} = ?`).run(flipByte(row.v, 7), id);
}

function editHeader(db: DatabaseSync, height: number, field: 'nonce' | 'time'): void {
  const { header } = db.prepare('SELECT header FROM blocks WHERE height = ?').get(height) as {
    header: string;
  };
  const changed = header.replace(
    new RegExp(`"${field}":(\\d+)`),
    (_m, n: string) => `"${field}":${Number(n) + 1}`,
  );
  assert.notEqual(changed, header);
  db.prepare('UPDATE blocks SET header = ? WHERE height = ?').run(changed, height);
}

/** Swaps everything but the height between blocks k and k+1; `hash` is UNIQUE, hence the detour. */
function swapBlocks(db: DatabaseSync, k: number): void {
  const get = db.prepare('SELECT hash, header, signature, first_seq FROM blocks WHERE height = ?');
  const a = get.get(k) as { hash: Uint8Array; header: string; signature: Uint8Array; first_seq: number };
  const b = get.get(k + 1) as typeof a;
  const set = db.prepare(
    'UPDATE blocks SET hash = ?, header = ?, signature = ?, first_seq = ? WHERE height = ?',
  );
  db.exec('BEGIN');
  db.prepare('UPDATE blocks SET hash = ? WHERE height = ?').run(new Uint8Array(32), k);
  set.run(a.hash, a.header, a.signature, a.first_seq, k + 1);
  set.run(b.hash, b.header, b.signature, b.first_seq, k);
  db.exec('COMMIT');
}

/** Replaces one digit of the `reading` in a transaction body: a one-byte change of the payload. */
function editPayload(db: DatabaseSync, seq: number): void {
  const { body } = db.prepare('SELECT body FROM txs WHERE seq = ?').get(seq) as { body: string };
  const changed = body.replace(
    /("reading":\d*)(\d)/,
    (_m, head: string, d: string) => `${head}${(Number(d) + 1) % 10}`,
  );
  assert.equal(changed.length, body.length);
  assert.notEqual(changed, body);
  db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(changed, seq);
}

const cases: readonly Case[] = [
  {
    desc: 'one byte of a transaction payload',
    edit: (db, l) => {
      editPayload(db, seqOf(l, 5, 2));
    },
    expect: [
      { height: 5, tx: 2, kind: 'tx-id' },
      { height: 5, tx: 2, kind: 'tx-signature' },
      { height: 5, kind: 'merkle-root' },
    ],
  },
  {
    desc: 'a stored block hash',
    edit: (db) => {
      editBlob(db, 'blocks', 'hash', 'height', 3);
    },
    expect: [{ height: 3, kind: 'block-hash' }],
  },
  {
    desc: 'one byte of a transaction signature',
    edit: (db, l) => {
      editBlob(db, 'txs', 'sig', 'seq', seqOf(l, 8, 4));
    },
    expect: [{ height: 8, tx: 4, kind: 'tx-signature' }],
  },
  {
    desc: "one byte of a block's proposer signature",
    edit: (db) => {
      editBlob(db, 'blocks', 'signature', 'height', 4);
    },
    expect: [{ height: 4, kind: 'block-signature' }],
  },
  {
    desc: 'the nonce in a block header',
    edit: (db) => {
      editHeader(db, 2, 'nonce');
    },
    expect: [
      { height: 2, kind: 'block-hash' },
      { height: 3, kind: 'prev-hash' },
    ],
  },
  {
    desc: 'the time in a block header',
    edit: (db) => {
      editHeader(db, 6, 'time');
    },
    expect: [
      { height: 6, kind: 'block-hash' },
      { height: 7, kind: 'prev-hash' },
    ],
  },
  {
    desc: 'two blocks swapped',
    edit: (db) => {
      swapBlocks(db, 4);
    },
    expect: [
      { height: 4, kind: 'height' },
      { height: 4, kind: 'prev-hash' },
      { height: 5, kind: 'height' },
      { height: 5, kind: 'prev-hash' },
    ],
  },
  {
    desc: 'a transaction deleted',
    edit: (db, l) => {
      db.prepare('DELETE FROM txs WHERE seq = ?').run(seqOf(l, 3, 1));
    },
    expect: [
      { height: 3, kind: 'tx-count' },
      { height: 3, kind: 'merkle-root' },
    ],
  },
  {
    desc: "the chain's tail dropped",
    edit: (db) => {
      db.prepare('DELETE FROM txs WHERE height > ?').run(5);
      db.prepare('DELETE FROM blocks WHERE height > ?').run(5);
    },
    // head.json, signed and outside the database, still names block 8.
    expect: [{ height: BLOCKS, kind: 'head-witness' }],
  },
  {
    desc: 'an extra transaction beyond the head',
    edit: (db, l) => {
      const row = db.prepare('SELECT id, type, body, sig FROM txs WHERE seq = ?').get(l.txCount - 1) as {
        id: Uint8Array;
        type: string;
        body: string;
        sig: Uint8Array;
      };
      db.prepare('INSERT INTO txs (seq, id, height, type, body, sig) VALUES (?, ?, ?, ?, ?, ?)').run(
        l.txCount,
        flipByte(row.id, 0),
        BLOCKS + 1,
        row.type,
        row.body,
        row.sig,
      );
    },
    expect: [{ height: BLOCKS, kind: 'tx-count' }],
  },
];

describe('verify --full names the place of every edit', () => {
  test('an untouched copy verifies', () => {
    const { status, report } = verifyJson(tamperedCopy(), '--full');
    assert.deepEqual(report, {
      ok: true,
      height: BLOCKS,
      txs: layout.txCount,
      verifiedFrom: 0,
      problems: [],
    });
    assert.equal(status, 0);
  });

  for (const c of cases) {
    test(c.desc, () => {
      const { status, report } = verifyJson(tamperedCopy(c.edit), '--full');
      assert.equal(report.ok, false);
      assert.equal(status, 1);
      assertNamed(report, c.expect);
    });
  }

  test('a deleted transaction is blamed on its block only', () => {
    const dir = tamperedCopy((db, l) => {
      db.prepare('DELETE FROM txs WHERE seq = ?').run(seqOf(l, 3, 1));
    });
    const { report } = verifyJson(dir, '--full');
    assertNamed(report, [{ height: 3, kind: 'tx-count' }]);
    assert.deepEqual(report.problems.filter((p) => p.height > 3).map(where), []);
  });

  test('the text output says "height H tx I"', () => {
    const dir = tamperedCopy((db, l) => {
      editPayload(db, seqOf(l, 7, 3));
    });
    const r = cli(dir, '--full');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^PROBLEMS FOUND/);
    assert.match(r.stdout, /^ {2}height 7 tx 3: tx-id: /m);
  });
});

describe('verify from the checkpoint', () => {
  test('reports a dropped tail: the checkpoint is above the head', () => {
    const dir = tamperedCopy((db) => {
      db.prepare('DELETE FROM txs WHERE height > ?').run(5);
      db.prepare('DELETE FROM blocks WHERE height > ?').run(5);
    });
    const { status, report } = verifyJson(dir);
    assert.equal(status, 1);
    assert.equal(report.height, 5);
    assertNamed(report, [
      { height: BLOCKS, kind: 'checkpoint' },
      { height: BLOCKS, kind: 'head-witness' },
    ]);
  });

  test('counts the stored transactions: a deleted one is named without --full', () => {
    const deleted = cases.find((c) => c.desc === 'a transaction deleted')!;
    const { status, report } = verifyJson(tamperedCopy(deleted.edit));
    assert.equal(status, 1);
    assertNamed(report, [{ height: BLOCKS, kind: 'tx-count' }]);
  });

  test('an extra transaction beyond the head is named without --full', () => {
    const extra = cases.find((c) => c.desc === 'an extra transaction beyond the head')!;
    const { status, report } = verifyJson(tamperedCopy(extra.edit));
    assert.equal(status, 1);
    assertNamed(report, [{ height: BLOCKS, kind: 'tx-count' }]);
  });

  test('an untouched copy verifies', () => {
    const { status, report } = verifyJson(tamperedCopy());
    assert.equal(report.ok, true);
    assert.equal(report.verifiedFrom, BLOCKS + 1);
    assert.equal(status, 0);
  });
});

/**
 * @module
 * The integrity monitor's sweeps: each background run checks one window of blocks (digests of the
 * blocks a clean check saw, verification of the others) and records, going round the chain. An edit
 * anywhere — in a block checked long ago or in one added since the last run — is reported at its
 * exact place and stays reported until its block is clean again; a full run comes every
 * `fullEveryMs` when set; the digests cover every stored column the verification reads, and nothing else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import {
  BUSY_UTILIZATION,
  IntegrityMonitor,
  MAX_BUSY_PAUSE_MS,
  pauseAfter,
  pauseStep,
} from './integrity-monitor.ts';
import { tempDir } from '../chain/chain-fixtures.test-util.ts';
import { MedicalNode } from '../medical/medical-node.ts';
import { blocksInThread, digestsInThread, monitorThreadUp } from './monitor-thread.ts';
import { stateAt, verifyRange } from '../chain/verify-range.ts';
import { changedHeights, storedDigests, storedDigestsSync } from '../chain/stored-digests.ts';

async function nodeWithBlocks(blocks: number): Promise<MedicalNode> {
  const { node } = await MedicalNode.open(join(tempDir(), 'node'), {
    kdf: { N: 2 ** 10, r: 8, p: 1 },
    adminPassword: randomBytes(18).toString('base64url'),
    difficulty: 2,
  });
  await addBlocks(node, blocks);
  return node;
}

async function addBlocks(node: MedicalNode, blocks: number): Promise<void> {
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 3; i++) await node.ledger.addData({ sample: 'monitor-test', reading: b * 10 + i });
    await node.commit();
  }
}

/** A second connection to the ledger file, as someone editing it behind the node's back. */
function editor(node: MedicalNode): DatabaseSync {
  return new DatabaseSync(join(node.ledger.paths.dir, 'ledger.sqlite'), { timeout: 5000 });
}

/** Runs `fn` on a node with `blocks` blocks and an editor of its ledger file; closes both after. */
async function withEditor(
  blocks: number,
  fn: (node: MedicalNode, db: DatabaseSync) => Promise<void>,
): Promise<void> {
  const node = await nodeWithBlocks(blocks);
  const db = editor(node);
  try {
    await fn(node, db);
  } finally {
    db.close();
    await node.close();
  }
}

function firstSeq(db: DatabaseSync, height: number): number {
  return (db.prepare('SELECT first_seq FROM blocks WHERE height = ?').get(height) as { first_seq: number })
    .first_seq;
}

/** Flips one character of the nonce of the transaction at `seq`; returns the undo. */
function editTxBody(db: DatabaseSync, seq: number): () => void {
  const { body } = db.prepare('SELECT body FROM txs WHERE seq = ?').get(seq) as { body: string };
  const changed = body.replace(/"nonce":"(.)/, (_m, c: string) => `"nonce":"${c === '0' ? '1' : '0'}`);
  assert.notEqual(changed, body);
  db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(changed, seq);
  return () => db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(body, seq);
}

/** A quick run after two new blocks, one of them edited: it names the edit's place. */
async function newBlockEditCaught(node: MedicalNode, db: DatabaseSync): Promise<void> {
  const monitor = new IntegrityMonitor(node);
  assert.equal((await monitor.run()).state, 'ok');
  await addBlocks(node, 2);
  const h = node.ledger.height;
  editTxBody(db, firstSeq(db, h));
  const s = await monitor.run();
  assert.equal(s.lastRun?.full, false);
  assert.equal(s.state, 'compromised');
  assert.ok(
    s.problems.some((p) => 'kind' in p && p.kind === 'tx-id' && p.height === h && p.tx === 0),
    JSON.stringify(s.problems),
  );
}

describe('integrity monitor sweeps', () => {
  test('a sweep covers a short chain in one run; later runs check it again and the blocks added since', async () => {
    const node = await nodeWithBlocks(3);
    const monitor = new IntegrityMonitor(node);
    try {
      const first = await monitor.run();
      assert.equal(first.state, 'ok');
      assert.equal(first.lastRun?.full, false);
      assert.deepEqual(first.lastRun.sweep, { from: 0, to: node.ledger.height, records: 0 });
      await addBlocks(node, 2);
      const second = await monitor.run();
      assert.equal(second.state, 'ok');
      assert.equal(second.lastRun?.full, false);
      assert.equal(second.verifiedHeight, node.ledger.height);
      // On demand with signatures: always full, also when asked during a sweep (not joined to it).
      assert.equal((await monitor.run({ signatures: true })).lastRun?.full, true);
      const quick = monitor.run();
      const withSigs = monitor.run({ signatures: true });
      assert.equal((await quick).lastRun?.full, false);
      const s = await withSigs;
      assert.equal(s.lastRun?.signatures, true);
      assert.equal(s.lastRun.full, true);
    } finally {
      await node.close();
    }
  });

  test('an edit of a block checked earlier: its digest changed, the window is verified and names the place', async () => {
    await withEditor(4, async (node, db) => {
      const monitor = new IntegrityMonitor(node);
      assert.equal((await monitor.run()).state, 'ok');
      const h = node.ledger.height - 2; // a block of three data transactions
      const undo = editTxBody(db, firstSeq(db, h) + 1);
      const s = await monitor.run();
      assert.equal(s.state, 'compromised');
      assert.equal(s.lastRun?.full, false);
      assert.ok(
        s.problems.some((p) => 'kind' in p && p.kind === 'tx-id' && p.height === h && p.tx === 1),
        JSON.stringify(s.problems),
      );
      undo();
      assert.equal((await monitor.run()).state, 'ok');
    });
  });

  test('an edit of a block added since the last run is caught by the next sweep itself', async () => {
    await withEditor(2, newBlockEditCaught);
  });

  test('a long chain is swept a window at a time; a problem stays until its block is checked again', async () => {
    await withEditor(6, async (node, db) => {
      // About one block of three transactions per window.
      const monitor = new IntegrityMonitor(node, { sweepTxs: 3, sweepRecords: 1 });
      const height = node.ledger.height;
      const windows: [number, number][] = [];
      for (let to = -1; to < height;) {
        const s = await monitor.run();
        assert.equal(s.state, 'ok');
        windows.push([s.lastRun!.sweep!.from, s.lastRun!.sweep!.to]);
        to = s.lastRun!.sweep!.to;
      }
      assert.ok(windows.length > 3, JSON.stringify(windows));
      assert.equal(windows[0]![0], 0);
      windows.slice(1).forEach(([from], i) => {
        assert.equal(from, windows[i]![1] + 1);
      });
      // An edit of an old block: found when the sweep comes back to it, and reported until it is undone.
      const h = height - 3;
      const undo = editTxBody(db, firstSeq(db, h) + 1);
      let found: number | undefined;
      for (let run = 0; run < 2 * windows.length && found === undefined; run++) {
        const s = await monitor.run();
        if (s.state === 'compromised') found = run;
      }
      assert.ok(found !== undefined && found < windows.length + 1, `found after ${String(found)} runs`);
      const other = await monitor.run();
      assert.equal(other.state, 'compromised', 'still reported while other windows are checked');
      assert.ok(other.problems.some((p) => 'kind' in p && p.height === h));
      undo();
      let cleared = false;
      for (let run = 0; run < 2 * windows.length && !cleared; run++)
        cleared = (await monitor.run()).state === 'ok';
      assert.ok(cleared, 'clean again once the sweep checked the block again');
    });
  });

  test('a full run at least every fullEveryMs, when set', async () => {
    const node = await nodeWithBlocks(1);
    let t = 1_000_000;
    const monitor = new IntegrityMonitor(node, { fullEveryMs: 60_000, now: () => t });
    try {
      assert.equal((await monitor.run()).lastRun?.full, true);
      t += 59_999;
      assert.equal((await monitor.run()).lastRun?.full, false);
      t += 1;
      assert.equal((await monitor.run()).lastRun?.full, true);
      assert.equal((await monitor.run()).lastRun?.full, false);
      const always = new IntegrityMonitor(node, { fullEveryMs: 0, now: () => t });
      await always.run();
      assert.equal((await always.run()).lastRun?.full, true);
      const never = new IntegrityMonitor(node, { now: () => t });
      assert.equal((await never.run()).lastRun?.full, false);
    } finally {
      await node.close();
    }
  });
});

async function monitorThread(): Promise<void> {
  for (let i = 0; i < 200 && !monitorThreadUp(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(monitorThreadUp(), true, 'the monitor thread came up');
}

describe('the monitor thread', () => {
  test('checks a range of blocks as the calling thread does, edits included', async () => {
    await withEditor(5, async (node, db) => {
      await monitorThread();
      const store = node.ledger.store;
      const h = node.ledger.height;
      const from = h - 2;
      const startHash = store.blockByHeight(from - 1)!.hash;
      const here = async () => {
        const state = stateAt(store, from - 1, startHash);
        assert.ok(!('kind' in state));
        const r = await verifyRange(store, state, from, h, false);
        return { problems: r.problems, endHash: state.headHash, endLogSize: state.logRange.size };
      };
      const clean = await blocksInThread(store.path, from, h, startHash);
      assert.deepEqual(clean, await here());
      assert.equal(clean.problems.length, 0);
      assert.equal(clean.endHash, store.head()!.hash);
      editTxBody(db, firstSeq(db, h - 1) + 2);
      const edited = await blocksInThread(store.path, from, h, startHash);
      assert.deepEqual(edited, await here());
      assert.ok(
        edited.problems.some((p) => p.kind === 'tx-id' && p.height === h - 1 && p.tx === 2),
        JSON.stringify(edited.problems),
      );
      // A range that cannot start (no such block before it) is left to the caller.
      assert.equal(await blocksInThread(store.path, h + 5, h + 6, startHash), undefined);
    });
  });

  test('the monitor runs its quick check there and still names an edit of a new block', async () => {
    await monitorThread();
    await withEditor(2, newBlockEditCaught);
  });

  test('computes the same digests as the calling thread, and sees later edits', async () => {
    await withEditor(3, async (node, db) => {
      const store = node.ledger.store;
      const h = node.ledger.height;
      await monitorThread();
      const here = await storedDigests(store, 0, h);
      assert.deepEqual(Buffer.from(await digestsInThread(store.path, h)), Buffer.from(here));
      const undo = editTxBody(db, firstSeq(db, h));
      assert.deepEqual(changedHeights(here, await digestsInThread(store.path, h)), [h]);
      undo();
      assert.deepEqual(changedHeights(here, storedDigestsSync(store, 0, h)), []);
    });
  });
});

describe('stored digests', () => {
  const txColumns = ['id', 'height', 'type', 'body', 'sig'] as const;
  const blockColumns = ['hash', 'header', 'signature', 'first_seq'] as const;

  test('a change to any column the verification reads changes exactly its block’s digest', async () => {
    await withEditor(3, async (node, db) => {
      const h = node.ledger.height;
      const before = await storedDigests(node.ledger.store, 0, h);
      assert.deepEqual(changedHeights(before, await storedDigests(node.ledger.store, 0, h)), []);
      const b = h - 1;
      const seq = firstSeq(db, b);
      /** Changes one column of one row (committed: the node's connection must see it); returns the undo. */
      const change = (table: 'txs' | 'blocks', column: string, where: string, key: number): (() => void) => {
        const old = (
          db.prepare(`SELECT ${column} AS v FROM ${table} WHERE ${where} = ?`).get(key) as {
            v: string | number | Uint8Array;
          }
        ).v;
        const changed =
          typeof old === 'number'
            ? old + 1
            : old instanceof Uint8Array
              ? Buffer.from(old).reverse()
              : `${old}0`;
        db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${where} = ?`).run(changed, key);
        return () => db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${where} = ?`).run(old, key);
      };
      const edits: [string, () => () => void][] = [
        ...txColumns.map((c): [string, () => () => void] => [`txs.${c}`, () => change('txs', c, 'seq', seq)]),
        ...blockColumns.map((c): [string, () => () => void] => [
          `blocks.${c}`,
          () => change('blocks', c, 'height', b),
        ]),
        [
          'txs row deleted',
          () => {
            const cols = ['seq', 'id', 'height', 'type', 'body', 'sig'] as const;
            const row = db.prepare(`SELECT ${cols.join(', ')} FROM txs WHERE seq = ?`).get(seq)!;
            db.prepare('DELETE FROM txs WHERE seq = ?').run(seq);
            return () =>
              db
                .prepare(`INSERT INTO txs (${cols.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`)
                .run(...cols.map((c) => row[c]!));
          },
        ],
      ];
      for (const [what, edit] of edits) {
        const undo = edit();
        const after = await storedDigests(node.ledger.store, 0, h);
        undo();
        assert.deepEqual(changedHeights(before, after), [b], what);
        assert.deepEqual(changedHeights(before, await storedDigests(node.ledger.store, 0, h)), [], what);
      }
      // The finality certificate arrives after its block: not part of the digest.
      db.prepare(`UPDATE blocks SET certificate = '{}' WHERE height = ?`).run(b);
      assert.deepEqual(changedHeights(before, await storedDigests(node.ledger.store, 0, h)), []);
    });
  });
});

describe('integrity monitor pace', () => {
  test('pauses its interval, at least twice its last run, and six times that (up to a minute) when busy', () => {
    assert.equal(pauseAfter(5000, 100, 0.1), 5000);
    assert.equal(pauseAfter(5000, 4000, 0.1), 8000);
    assert.equal(pauseAfter(5000, 100, 0.9), 30_000);
    assert.equal(pauseAfter(5000, 8000, 0.9), MAX_BUSY_PAUSE_MS);
    assert.equal(pauseAfter(5000, 40_000, 0.9), 80_000); // a slow run's own pause is never shortened
    assert.equal(pauseAfter(5000, 100, BUSY_UTILIZATION), 5000);
  });

  test('judges the load during the pause: waits on in steps while busy, runs after a quiet step', () => {
    // Busy so far: wait one more interval (not the whole busy pause: the load may end meanwhile).
    assert.equal(pauseStep(5000, 100, 5000, 0.9), 5000);
    assert.equal(pauseStep(5000, 100, 25_000, 0.9), 5000);
    assert.equal(pauseStep(5000, 100, 30_000, 0.9), 'run'); // the busy pause is over: the sweep goes on
    assert.equal(pauseStep(5000, 100, 10_000, 0.1), 'run'); // the last step was quiet
    assert.equal(pauseStep(5000, 4000, 5000, 0.1), 3000); // a slow run's pause is waited out first
    assert.equal(pauseStep(5000, 8000, 48_000, 0.9), 12_000); // the last step ends the busy pause
  });

  test('a node kept busy is swept at the busy pace, a quiet one at its interval', async () => {
    const node = await nodeWithBlocks(2);
    try {
      const runs = async (utilization: number): Promise<number> => {
        const monitor = new IntegrityMonitor(node, { intervalMs: 40, utilization: () => utilization });
        await monitor.start();
        await new Promise((r) => setTimeout(r, 1200));
        monitor.stop();
        return monitor.status.runs;
      };
      const quiet = await runs(0.1);
      const busy = await runs(0.9);
      // Quiet: a run every 40 ms or so (its own time aside); busy: every 240 ms at most 6 in 1.2 s.
      assert.ok(busy <= 6, `busy: ${String(busy)} runs`);
      assert.ok(quiet >= 2 * busy, `quiet: ${String(quiet)} runs, busy: ${String(busy)}`);
    } finally {
      await node.close();
    }
  });
});

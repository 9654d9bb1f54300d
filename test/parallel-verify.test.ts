/**
 * @module
 * Verification split over worker threads must report exactly what one sequential pass reports, on a
 * clean chain and on chains tampered in either range and at the block where the ranges join.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { ChainNode } from '../src/chain/chain-node.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { verifyChain } from '../src/chain/verify-chain.ts';

const BLOCKS = 300; // above the parallel threshold (256); two ranges on two cores: 0..150 and 151..300
let root: string;
let pristine: string;
let n = 0;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'medledger-parallel-'));
  pristine = join(root, 'pristine');
  const ledger = await ChainNode.init(pristine);
  for (let h = 1; h < BLOCKS; h++) {
    await ledger.addData({ h, a: 1 });
    await ledger.addData({ h, a: 2 });
    await ledger.mine();
  }
  await ledger.close();
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

function copy(edit?: (db: DatabaseSync) => void): string {
  const dir = join(root, `c${++n}`);
  cpSync(pristine, dir, { recursive: true });
  if (edit) {
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    edit(db);
    db.close();
  }
  return join(dir, 'ledger.sqlite');
}

async function both(path: string, signatures: boolean): Promise<[string[], string[], boolean]> {
  const store = new SqliteStore(path);
  try {
    const seq = await verifyChain(store, { full: true, signatures, parallel: false });
    const par = await verifyChain(store, { full: true, signatures, parallel: true });
    const fmt = (ps: typeof seq.problems): string[] =>
      ps.map((p) => `${p.height}/${p.tx ?? '-'}/${p.kind}`).sort();
    assert.equal(par.txs, seq.txs);
    assert.equal(par.state.headHash, seq.state.headHash);
    return [fmt(seq.problems), fmt(par.problems), seq.ok];
  } finally {
    store.close();
  }
}

const cases: { desc: string; edit: (db: DatabaseSync) => void; expect: string }[] = [
  {
    desc: 'a payload byte in the second range',
    edit: (db) => {
      db.exec(`UPDATE txs SET body = replace(body, '"a":2', '"a":3') WHERE height = 250`);
    },
    expect: '250/1/tx-id',
  },
  {
    desc: 'the stored hash of the block where the ranges join',
    edit: (db) => {
      db.exec(`UPDATE blocks SET hash = zeroblob(32) WHERE height = 150`);
    },
    expect: '150/-/block-hash',
  },
  {
    desc: 'the header of the block where the ranges join',
    edit: (db) => {
      db.exec(`UPDATE blocks SET header = replace(header, '"nonce":0', '"nonce":7') WHERE height = 150`);
    },
    expect: '151/-/prev-hash',
  },
  {
    desc: 'a signature in the first range',
    edit: (db) => {
      db.exec(
        `UPDATE txs SET sig = zeroblob(64) WHERE seq = (SELECT first_seq FROM blocks WHERE height = 20)`,
      );
    },
    expect: '20/0/tx-signature',
  },
];

void describe('parallel verification', () => {
  test('agrees with a sequential pass on a clean chain', async () => {
    const [seq, par, ok] = await both(copy(), true);
    assert.ok(ok);
    assert.deepEqual(par, seq);
    assert.deepEqual(par, []);
  });

  for (const c of cases) {
    test(`agrees with a sequential pass after tampering with ${c.desc}`, async () => {
      const [seq, par] = await both(copy(c.edit), true);
      assert.ok(seq.includes(c.expect), `sequential reports ${seq.join(', ')}`);
      assert.deepEqual(par, seq);
    });
  }

  test('falls back to one pass when a range cannot start from stored Merkle nodes', async () => {
    const [seq, par, ok] = await both(
      copy((db) => {
        db.exec('DELETE FROM merkle_nodes WHERE level > 0');
      }),
      false,
    );
    assert.ok(ok, 'Merkle nodes serve proofs; the chain itself is intact');
    assert.deepEqual(par, seq);
  });
});

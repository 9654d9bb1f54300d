/**
 * @module
 * A full verification finds a transaction stored twice (an edit of the store that the id index did
 * not stop) at the later copy, from the store itself: no set of every id is held in memory.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { ChainNode } from './chain-node.ts';
import { tempDir } from './chain-fixtures.test-util.ts';

it('reports a transaction copied into a later block as tx-replay at the copy', async () => {
  const dir = join(tempDir(), 'node');
  const ledger = await ChainNode.init(dir, { difficulty: 0 });
  for (const block of [1, 2]) {
    for (let i = 0; i < 3; i++) await ledger.addData({ block, i });
    await ledger.mine();
  }
  await ledger.close();
  const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
  const firstOf = (h: number): number =>
    (db.prepare('SELECT first_seq AS s FROM blocks WHERE height = ?').get(h) as { s: number }).s;
  const original = firstOf(1) + 1;
  const copy = firstOf(2) + 2;
  db.prepare(
    `UPDATE txs SET (id, type, body, sig) = (SELECT id, type, body, sig FROM txs WHERE seq = ?) WHERE seq = ?`,
  ).run(original, copy);
  const id = (
    db.prepare('SELECT lower(hex(id)) AS id FROM txs WHERE seq = ?').get(original) as { id: string }
  ).id;
  db.close();
  const opened = await ChainNode.open(dir, { verify: 'full' });
  try {
    const replays = opened.openReport!.problems.filter((p) => p.kind === 'tx-replay');
    assert.deepEqual(
      replays.map((p) => [p.height, p.tx, p.found]),
      [[2, 2, id]],
    );
  } finally {
    await opened.close();
  }
});

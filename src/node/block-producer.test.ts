import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TxNotFoundError } from '../core/errors.ts';
import { createTx } from '../core/tx.ts';
import { BlockProducer } from './block-producer.ts';
import { Ledger } from './ledger.ts';
import { tempDir } from './ledger-fixtures.test-util.ts';

async function withLedger(
  fn: (ledger: Ledger, producer: BlockProducer, synced: () => number) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  const ledger = await Ledger.init(dir);
  let syncs = 0;
  const producer = new BlockProducer(ledger, () => {
    syncs++;
  });
  try {
    await fn(ledger, producer, () => syncs);
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void describe('BlockProducer', () => {
  it('rejects settling a transaction that is neither pending nor stored', async () => {
    await withLedger(async (_ledger, producer) => {
      await assert.rejects(producer.settle('00'.repeat(32)), TxNotFoundError);
    });
  });

  it('settles many concurrent submissions in shared blocks, running beforeBlock first', async () => {
    await withLedger(async (ledger, producer, synced) => {
      producer.auto = true;
      const ids = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ledger.submit(createTx(ledger.signer, 'data.put', { i }))),
      );
      await Promise.all(ids.map((id) => producer.settle(id)));
      for (const id of ids) assert.ok(ledger.store.txById(id), id);
      assert.ok(ledger.height >= 1 && ledger.height < 50, `${String(ledger.height)} blocks for 50 txs`);
      assert.equal(synced(), ledger.height);
      assert.equal(ledger.pendingCount, 0);
    });
  });

  it('commit() mines everything pending and resolves a settle made during the commit', async () => {
    await withLedger(async (ledger, producer) => {
      const id = await ledger.submit(createTx(ledger.signer, 'data.put', { a: 1 }));
      const committing = producer.commit();
      await producer.settle(id);
      assert.equal(await committing, 1);
      await producer.settle(id); // already stored: resolves at once
    });
  });
});

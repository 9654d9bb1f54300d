import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TxNotFoundError } from '../core/errors.ts';
import { createTx } from '../core/tx.ts';
import { BlockProducer } from './block-producer.ts';
import { ChainNode } from './chain-node.ts';
import { tempDir } from './chain-fixtures.test-util.ts';

/** `p`, or a rejection after `ms` saying `what` did not happen in time. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: not within ${String(ms)} ms`));
    }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withLedger(
  fn: (ledger: ChainNode, producer: BlockProducer, synced: () => number) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  const ledger = await ChainNode.init(dir);
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

  it('with nobody waiting, gathers transactions for intervalMs before a block', async () => {
    await withLedger(async (ledger, producer) => {
      producer.auto = true;
      producer.intervalMs = 500;
      const before = ledger.height;
      const t0 = performance.now();
      const id = await ledger.submit(createTx(ledger.signer, 'data.put', { a: 1 }));
      producer.nudge(); // as an access event: submitted, nobody waits for its block
      await sleep(200);
      assert.ok(ledger.isPending(id), 'mined before the interval ended');
      assert.equal(ledger.height, before);
      await within(10_000, 'the block', producer.settle(id));
      assert.ok(performance.now() - t0 >= 200);
      assert.equal(ledger.height, before + 1);
    });
  });

  it('seals at once when somebody waits and no announced transaction is on its way', async () => {
    await withLedger(async (ledger, producer) => {
      producer.auto = true;
      producer.intervalMs = 60_000;
      const id = await ledger.submit(createTx(ledger.signer, 'data.put', { a: 1 }));
      await within(5_000, 'the block of a waited-for transaction', producer.settle(id));
      assert.ok(ledger.store.txById(id));
    });
  });

  it('holds the block for announced transactions until they are submitted, then seals them together', async () => {
    await withLedger(async (ledger, producer) => {
      producer.auto = true;
      producer.intervalMs = 60_000;
      const first = producer.expect();
      const second = producer.expect();
      const a = await ledger.submit(createTx(ledger.signer, 'data.put', { a: 1 }));
      const settledA = producer.settle(a);
      first();
      first(); // a second call releases nothing more
      await sleep(300);
      assert.ok(ledger.isPending(a), 'sealed while an announced transaction was on its way');
      const b = await ledger.submit(createTx(ledger.signer, 'data.put', { b: 2 }));
      const settledB = producer.settle(b);
      second();
      await within(5_000, 'the block once nothing is on its way', Promise.all([settledA, settledB]));
      assert.equal(ledger.store.txById(a)?.height, ledger.store.txById(b)?.height);
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

/**
 * @module
 * The Orderer conformance suite (ordering, no forks, restart, catch-up), run by every implementation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZERO_HASH } from '../core/block.ts';
import { StoreConflictError } from '../core/errors.ts';
import type { WireBlock } from '../core/block.ts';
import type { Orderer, OrderedHead } from './orderer.ts';

export interface OrdererFactory {
  /** A new orderer; `head` continues an existing chain (a restart). */
  create(head?: OrderedHead): Promise<Orderer>;
}

const hashOf = (height: number, fork = 0): string => `${fork}${height}`.padStart(64, 'a');

export function fakeBlock(height: number, prevHash: string, fork = 0): WireBlock {
  return {
    header: {
      height,
      prevHash,
      merkleRoot: ZERO_HASH,
      logSize: height,
      logRoot: ZERO_HASH,
      time: height,
      difficulty: 0,
      nonce: fork,
      proposer: ZERO_HASH,
      txCount: 0,
    },
    hash: hashOf(height, fork),
    signature: '00'.repeat(64),
    txs: [],
  };
}

async function chain(o: Orderer, from: number, to: number, prev: string): Promise<string> {
  for (let h = from; h < to; h++) {
    await o.append(fakeBlock(h, prev));
    prev = hashOf(h);
  }
  return prev;
}

export function ordererConformance(name: string, factory: OrdererFactory): void {
  describe(`Orderer conformance: ${name}`, () => {
    it('rejects a block that does not extend the head', async () => {
      const o = await factory.create();
      await assert.rejects(o.append(fakeBlock(1, ZERO_HASH)), StoreConflictError);
      await o.append(fakeBlock(0, ZERO_HASH));
      await assert.rejects(o.append(fakeBlock(1, hashOf(7))), StoreConflictError);
      assert.deepEqual(await o.head(), { height: 0, hash: hashOf(0) });
      await o.close();
    });

    it('never forks under concurrent appends at one height', async () => {
      const o = await factory.create();
      await o.append(fakeBlock(0, ZERO_HASH));
      const results = await Promise.allSettled([1, 2, 3, 4].map((f) => o.append(fakeBlock(1, hashOf(0), f))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof StoreConflictError);
      assert.equal((await o.head())?.height, 1);
      await o.close();
    });

    it('delivers blocks in order to a subscriber, past ones first (catch-up)', async () => {
      const o = await factory.create();
      const prev = await chain(o, 0, 5, ZERO_HASH);
      const seen: number[] = [];
      const unsubscribe = o.subscribe(2, (b) => {
        seen.push(b.header.height);
      });
      await chain(o, 5, 8, prev);
      // Delivery may be asynchronous (etcd watches): wait a bounded time for it.
      for (let i = 0; i < 100 && seen.length < 6; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, [2, 3, 4, 5, 6, 7]);
      unsubscribe();
      await o.close();
    });

    it('continues after a restart without a fork', async () => {
      const o1 = await factory.create();
      const prev = await chain(o1, 0, 3, ZERO_HASH);
      const head = await o1.head();
      await o1.close();
      const o2 = await factory.create(head);
      await assert.rejects(o2.append(fakeBlock(2, hashOf(1), 9)), StoreConflictError);
      await o2.append(fakeBlock(3, prev));
      assert.equal((await o2.head())?.height, 3);
      await o2.close();
    });
  });
}

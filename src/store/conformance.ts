/**
 * @module
 * The Store conformance suite: every Store implementation runs it (sqlite-store.test.ts,
 * memory-store.test.ts), as trillian's storage/testonly does for its backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError } from '../core/errors.ts';
import type { AppendBatch, Store, StoredTx } from './store.ts';

export interface StoreFactory {
  /** A new, empty store. */
  create(): Store;
  /** Closes `store` and opens the same data again, or undefined when the store is not persistent. */
  reopen?: (store: Store) => Store;
}

const h = (n: number, salt = 'b'): string => (salt + n.toString(16)).padStart(64, '0').slice(-64);

function batch(height: number, firstSeq: number, count: number): AppendBatch {
  const txs: StoredTx[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    txs.push({
      seq,
      id: h(seq, 'a'),
      height,
      type: i === 0 ? 'identity.register' : 'data.put',
      body: `{"n":${seq}}`,
      sig: 'cd'.repeat(64),
    });
  }
  return {
    block: { height, hash: h(height), header: `{"height":${height}}`, signature: 'ef'.repeat(64), firstSeq },
    txs,
    nodes: txs.map((t) => ({ level: 0, index: t.seq, hash: Buffer.from(t.id, 'hex') })),
  };
}

export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    it('rejects an append that skips a height', () => {
      const s = factory.create();
      assert.throws(() => {
        s.append(batch(1, 0, 1));
      }, StoreConflictError);
      s.append(batch(0, 0, 1));
      assert.throws(() => {
        s.append(batch(0, 1, 1));
      }, StoreConflictError);
      assert.throws(() => {
        s.append(batch(2, 1, 1));
      }, StoreConflictError);
      assert.equal(s.head()?.height, 0);
      s.close();
    });

    it('runs `alongside` in the append, and stores nothing of a block whose alongside throws', () => {
      const s = factory.create();
      let ran = 0;
      s.append(batch(0, 0, 1), () => {
        ran++;
      });
      assert.equal(ran, 1);
      assert.throws(() => {
        s.append(batch(1, 1, 2), () => {
          throw new Error('state write failed');
        });
      }, /state write failed/);
      assert.equal(s.head()?.height, 0);
      assert.equal(s.txCount(), 1);
      assert.equal(s.txById(batch(1, 1, 2).txs[0]!.id), undefined);
      s.append(batch(1, 1, 2));
      assert.equal(s.head()?.height, 1);
      s.close();
    });

    it('rejects a duplicate transaction id atomically', () => {
      const s = factory.create();
      s.append(batch(0, 0, 2));
      const dup = batch(1, 2, 2);
      const first = dup.txs[0]!;
      const txs = [{ ...first, id: h(0, 'a') }, dup.txs[1]!];
      assert.throws(() => {
        s.append({ ...dup, txs });
      }, StoreConflictError);
      assert.equal(s.head()?.height, 0, 'the failed block is not stored');
      assert.equal(s.txCount(), 2, 'no transaction of the failed block is stored');
      assert.deepEqual(s.txSpan(), { first: 0, end: 2 });
      assert.equal(s.blockByHeight(1), undefined);
      s.close();
    });

    it('returns undefined for what is absent', () => {
      const s = factory.create();
      assert.equal(s.head(), undefined);
      assert.equal(s.blockByHeight(0), undefined);
      assert.equal(s.blockByHash(h(0)), undefined);
      assert.equal(s.blockByHash('not-hex'), undefined);
      assert.equal(s.txById(h(0, 'a')), undefined);
      assert.deepEqual(s.txsBySeq(0, 10), []);
      assert.deepEqual(s.merkleNodes([{ level: 0, index: 0 }]), [undefined]);
      assert.equal(s.getMeta('x'), undefined);
      s.close();
    });

    it('appends and looks up by height, hash, tx id, seq, type', () => {
      const s = factory.create();
      s.append(batch(0, 0, 1));
      s.append(batch(1, 1, 3));
      s.append(batch(2, 4, 2));
      assert.equal(s.head()?.height, 2);
      assert.deepEqual(s.blockByHeight(1), batch(1, 1, 3).block);
      assert.deepEqual(s.blockByHash(h(2)), batch(2, 4, 2).block);
      assert.deepEqual(
        s.blocks(1, 3).map((b) => b.height),
        [1, 2],
      );
      assert.deepEqual(s.txById(h(2, 'a')), batch(1, 1, 3).txs[1]);
      assert.deepEqual(
        s.txsBySeq(1, 4).map((t) => t.seq),
        [1, 2, 3],
      );
      assert.deepEqual(
        [...s.txsOfTypes(['identity.register'])].map((t) => t.seq),
        [0, 1, 4],
      );
      assert.deepEqual(
        [...s.txsOfTypes(['identity.register'], 1)].map((t) => t.seq),
        [1, 4],
      );
      assert.deepEqual([...s.txsOfTypes(['identity.register'], 5)], []);
      assert.equal(s.txCount(), 6);
      assert.deepEqual(s.txSpan(), { first: 0, end: 6 });
      assert.deepEqual([...s.repeatedTxIds()], []);
      assert.deepEqual(
        s.presentTxIds([h(2, 'a'), h(99, 'a'), 'not-hex', h(5, 'a')]),
        new Set([h(2, 'a'), h(5, 'a')]),
      );
      const [n] = s.merkleNodes([{ level: 0, index: 5 }]);
      assert.deepEqual(n && Buffer.from(n).toString('hex'), h(5, 'a'));
      assert.equal(s.setCertificate(1, '{"votes":[]}'), true);
      assert.equal(s.setCertificate(42, '{}'), false);
      assert.equal(s.blockByHeight(1)?.certificate, '{"votes":[]}');
      assert.equal(s.blockByHash(h(1))?.certificate, '{"votes":[]}');
      assert.equal(s.blockByHeight(0)?.certificate, undefined);
      s.setMeta('checkpoint', '{"height":2}');
      s.setMeta('checkpoint', '{"height":3}');
      assert.equal(s.getMeta('checkpoint'), '{"height":3}');
      s.close();
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('keeps everything across a reopen', () => {
        let s = factory.create();
        s.append(batch(0, 0, 1));
        s.append(batch(1, 1, 2));
        s.setMeta('k', 'v');
        s = reopen(s);
        assert.equal(s.head()?.height, 1);
        assert.equal(s.txCount(), 3);
        assert.equal(s.getMeta('k'), 'v');
        s.append(batch(2, 3, 1));
        assert.equal(s.head()?.hash, h(2));
        s.close();
      });
    }
  });
}

/**
 * The etcd orderer against a real 3-member etcd cluster on loopback: the shared Orderer conformance
 * suite, delivery with a local handler, rollback of a rejected block, and progress with one member down.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { ZERO_HASH } from '../src/core/block.ts';
import type { WireBlock } from '../src/core/block.ts';
import { fakeBlock, ordererConformance } from '../src/ordering/conformance.ts';
import { EtcdCluster } from '../src/ordering/etcd-cluster.ts';
import { EtcdOrderer } from '../src/ordering/etcd-orderer.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-etcd-'));
let cluster: EtcdCluster;
let client: Etcd3;
let ns = 0;

before(async () => {
  cluster = await EtcdCluster.start({ dir, members: 3 });
  client = new Etcd3({ hosts: cluster.endpoints });
});

after(async () => {
  client.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

ordererConformance('etcd', {
  create: (head) => {
    if (!head) ns++;
    return EtcdOrderer.open(client.namespace(`conformance-${ns}/`), head ? { head } : {});
  },
});

const hashOf = (height: number, fork = 0): string => `${fork}${height}`.padStart(64, 'a');

describe('etcd orderer', () => {
  it('delivers its own and others’ blocks to the local node in order', async () => {
    const space = client.namespace('deliver/');
    const seenA: number[] = [];
    const seenB: number[] = [];
    const a = await EtcdOrderer.open(space, { deliver: (b) => void seenA.push(b.header.height) });
    const b = await EtcdOrderer.open(space, { deliver: (x) => void seenB.push(x.header.height) });
    await a.append(fakeBlock(0, ZERO_HASH));
    await b.append(fakeBlock(1, hashOf(0)));
    await a.append(fakeBlock(2, hashOf(1)));
    for (let i = 0; i < 100 && seenB.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seenA, [0, 1, 2]);
    assert.deepEqual(seenB, [0, 1, 2]);
    await a.close();
    await b.close();
  });

  it('rejects append when the local node rejects the block, and rolls it back', async () => {
    const space = client.namespace('rollback/');
    const honest: WireBlock[] = [];
    const errors: string[] = [];
    const a = await EtcdOrderer.open(space, {
      deliver: (b) => {
        if (b.header.nonce === 666) throw new Error('bad block');
        honest.push(b);
      },
      onDeliveryError: (_b, e) => errors.push((e as Error).message),
    });
    try {
      await a.append(fakeBlock(0, ZERO_HASH));
      await assert.rejects(a.append(fakeBlock(1, hashOf(0), 666)), /bad block/);
      // The failing block is retried on every wake (watch event or timer) until it is replaced.
      assert.ok(errors.length >= 1 && errors.every((e) => e === 'bad block'), JSON.stringify(errors));
      assert.equal((await a.head())?.hash, hashOf(1, 666));
      assert.ok(await a.rollback(1, hashOf(1, 666), hashOf(0), '{"votes":[]}'));
      assert.equal(await a.rollback(1, hashOf(1, 666), hashOf(0), '{}'), false, 'rollback is a CAS');
      assert.deepEqual(await a.head(), { height: 0, hash: hashOf(0) });
      await a.append(fakeBlock(1, hashOf(0)));
      assert.deepEqual(
        honest.map((b) => b.hash),
        [hashOf(0), hashOf(1)],
      );
    } finally {
      await a.close();
    }
  });

  it(
    'keeps ordering with one of three etcd members down, and the member rejoins',
    { timeout: 60_000 },
    async () => {
      const space = client.namespace('member-down/');
      const o = await EtcdOrderer.open(space);
      const only2 = new Etcd3({ hosts: [cluster.members[1]!.clientUrl] });
      try {
        await o.append(fakeBlock(0, ZERO_HASH));
        await cluster.killMember('etcd-2');
        await o.append(fakeBlock(1, hashOf(0)));
        cluster.startMember('etcd-2');
        // A restarted member replays its log and catches up from the leader: seconds on a loaded machine.
        let head: string | null = null;
        const deadline = Date.now() + 30_000;
        while (head !== `1:${hashOf(1)}` && Date.now() < deadline) {
          head = await only2
            .namespace('member-down/')
            .get('head')
            .string()
            .catch(() => null);
          if (head !== `1:${hashOf(1)}`) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(head, `1:${hashOf(1)}`, 'the restarted member has the block ordered while it was down');
      } finally {
        only2.close();
        await o.close();
      }
    },
  );

  it('compacts blocks every member stored', async () => {
    const space = client.namespace('compact/');
    const o = await EtcdOrderer.open(space);
    await o.append(fakeBlock(0, ZERO_HASH));
    await o.append(fakeBlock(1, hashOf(0)));
    await o.append(fakeBlock(2, hashOf(1)));
    await o.compactBelow(2);
    assert.equal(await o.lowestHeld(), 2);
    assert.equal(await o.block(1), undefined);
    await o.close();
  });
});

/**
 * Consortium mode in one process: three member nodes (ledger, block producer, membership) over a
 * real 3-member etcd cluster on loopback. One chain, every block validated and voted by every node,
 * finality certificates, an invalid block rejected by votes, proposer failover, an etcd member down,
 * and a node catching up on 10,000 transactions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { signBlockHash } from '../src/core/block.ts';
import type { WireBlock } from '../src/core/block.ts';
import { toHex } from '../src/core/bytes.ts';
import { createTx } from '../src/core/tx.ts';
import { checkCertificate } from '../src/core/vote.ts';
import type { FinalityCertificate } from '../src/core/vote.ts';
import { initConsortium } from '../src/consortium/consortium-genesis.ts';
import { dataPaths, loadNodeKey } from '../src/chain/data-dir.ts';
import { verifyFinality } from '../src/chain/verify-finality.ts';
import { EtcdCluster } from '../src/ordering/etcd-cluster.ts';
import { startMember, stopMember } from './support/consortium-member.ts';
import type { BareMember } from './support/consortium-member.ts';
import { until } from './support/until.ts';
import { EtcdOrderer } from '../src/ordering/etcd-orderer.ts';
import { mine } from '../src/core/pow.ts';

type Member = BareMember;

const root = mkdtempSync(join(tmpdir(), 'medledger-consortium-'));
let cluster: EtcdCluster;
let dirs: string[];
const nodes: (Member | undefined)[] = [];

const start = (dir: string): Promise<Member> => startMember(dir, { electionTtlSec: 2 });
const stop = stopMember;

const live = (): Member[] => nodes.filter((n): n is Member => n !== undefined);

async function submitAt(m: Member, n: number): Promise<string[]> {
  const txs = Array.from({ length: n }, (_, i) =>
    createTx(m.ledger.signer, 'data.put', { n: i, at: m.dir.slice(-6) }, { time: Date.now() }),
  );
  const ids: string[] = [];
  for (let i = 0; i < txs.length; i += 500) {
    const res = await m.ledger.submitMany(txs.slice(i, i + 500));
    for (const r of res) {
      if ('error' in r) throw r.error;
      ids.push(r.id);
    }
  }
  await Promise.all(ids.map((id) => m.producer.settle(id)));
  return ids;
}

async function sameHead(): Promise<void> {
  await until('every node at the same head', () => {
    const heads = live().map((n) => n.ledger.store.head()?.hash);
    return heads.every((h) => h === heads[0]);
  });
}

before(async () => {
  cluster = await EtcdCluster.start({ dir: join(root, 'etcd'), members: 3 });
  ({ dirs } = await initConsortium({
    dir: root,
    chainId: 'test-consortium',
    endpoints: cluster.endpoints,
    members: [1, 2, 3].map((i) => ({
      org: `hospital-${i}`,
      name: `Hospital ${i}`,
      url: `http://127.0.0.1:${9000 + i}`,
    })),
  }));
  for (const d of dirs) nodes.push(await start(d));
});

after(async () => {
  for (const n of live()) await stop(n);
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('consortium', { timeout: 180_000 }, () => {
  it('orders transactions submitted at every node into one chain whose blocks are all final', async () => {
    await Promise.all(live().map((m) => submitAt(m, 200)));
    await sameHead();
    const [a] = live();
    const head = a!.ledger.store.head()!;
    assert.ok(a!.ledger.store.txCount() >= 600 + 4);
    await until('certificates of every block at every node', () =>
      live().every((n) =>
        n.ledger.store.blocks(1, head.height + 1).every((b) => b.certificate !== undefined),
      ),
    );
    for (const n of live()) {
      const m = n.ledger.directory.nodeKeys();
      assert.equal(m.size, 3);
      for (const b of n.ledger.store.blocks(0, head.height + 1)) {
        if (b.height === 0 && b.certificate === undefined) continue;
        const cert = JSON.parse(b.certificate!) as FinalityCertificate;
        assert.equal(checkCertificate(cert, b.height, b.hash, m), undefined, `block ${b.height}`);
      }
      const report = await n.ledger.verify({ full: true });
      assert.equal(report.ok, true, JSON.stringify(report.problems.slice(0, 3)));
      const finality = verifyFinality(n.ledger.store, (h) => n.ledger.directory.nodeKeysAt(h));
      assert.equal(finality.ok, true, JSON.stringify(finality.problems));
      assert.equal(finality.finalHeight, head.height);
    }
    // A certificate edited in the SQLite file (a vote flipped) fails the offline check at its height.
    const store = a!.ledger.store;
    const original = store.blockByHeight(1)!.certificate!;
    store.setCertificate(1, original.replace('"isBlockValid":true', '"isBlockValid":false'));
    const tampered = verifyFinality(store, (h) => a!.ledger.directory.nodeKeysAt(h));
    assert.deepEqual(tampered.problems, [{ height: 1, detail: 'vote 0: vote signature does not verify' }]);
    store.setCertificate(1, original);
    assert.equal(live().filter((n) => n.member.isProposer).length, 1, 'one proposer');
  });

  it('rejects a block with a forged transaction by the votes of the others, and goes on', async () => {
    const [a] = live();
    const headRow = a!.ledger.store.head()!;
    // A member node key proposes a block whose transaction claims another signer (forgery).
    const evil = loadNodeKey(dataPaths(dirs[2]!));
    const victim = loadNodeKey(dataPaths(dirs[0]!));
    const forged = createTx(evil, 'data.put', { forged: true }, { time: Date.now() });
    const wire = { body: forged.bodyJson.replace(evil.keyId, victim.keyId), sig: toHex(forged.sig) };
    const prevHeader = JSON.parse(headRow.header) as { logSize: number; logRoot: string; time: number };
    const { header, hash } = mine({
      height: headRow.height + 1,
      prevHash: headRow.hash,
      merkleRoot: prevHeader.logRoot,
      logSize: prevHeader.logSize + 1,
      logRoot: prevHeader.logRoot,
      time: Math.max(Date.now(), prevHeader.time),
      difficulty: 0,
      proposer: evil.keyId,
      txCount: 1,
    });
    const bad: WireBlock = { header, hash, signature: toHex(signBlockHash(evil, hash)), txs: [wire] };
    const client = new Etcd3({ hosts: cluster.endpoints });
    const rogue = await EtcdOrderer.open(client.namespace('medledger/test-consortium/'));
    try {
      await rogue.append(bad);
      await until('the bad block reported by every node', () =>
        live().every((n) => n.member.status().rejected.some((r) => r.hash === hash)),
      );
      const r = a!.member.status().rejected.find((x) => x.hash === hash)!;
      assert.equal(r.proposer, evil.keyId);
      assert.match(r.reasons.join(' '), /merkle-root|tx-signature|tx-id/);
      for (const n of live()) assert.equal(n.ledger.store.blockByHash(hash), undefined, 'never applied');
      await until('the bad block taken out of etcd', async () => (await rogue.head())?.hash !== hash);
    } finally {
      await rogue.close();
      client.close();
    }
    await submitAt(a!, 10);
    await sameHead();
    assert.ok(a!.ledger.store.head()!.height > headRow.height);
  });

  it('elects a new proposer within 5 s when the proposer dies, losing no acknowledged transaction', async () => {
    const i = nodes.findIndex((n) => n?.member.isProposer);
    const dead = nodes[i]!;
    const acked = await submitAt(dead, 50);
    const t0 = Date.now();
    // A crash: the etcd client goes away without resigning; the lease expires by itself.
    await dead.member.crash();
    await dead.ledger.close().catch(() => undefined);
    dead.member.disconnect();
    nodes[i] = undefined;
    await until('a new proposer', () => live().some((n) => n.member.isProposer), 5_000);
    const failover = Date.now() - t0;
    const [b] = live();
    await submitAt(b!, 20);
    await sameHead();
    for (const id of acked)
      for (const n of live()) assert.ok(n.ledger.store.txById(id), `acknowledged ${id} kept`);
    console.log(`# failover to a new proposer in ${failover} ms`);
    nodes[i] = await start(dead.dir);
    await sameHead();
  });

  it('keeps committing with one etcd member of three down; the member rejoins', async () => {
    await cluster.killMember('etcd-3');
    const [a] = live();
    await submitAt(a!, 20);
    await sameHead();
    cluster.startMember('etcd-3');
    await cluster.waitReady(20_000);
    await submitAt(a!, 20);
    await sameHead();
  });

  it('a node stopped while 10,000 transactions are written catches up, verifies and serves the same head', async () => {
    const i = nodes.findIndex((n) => n && !n.member.isProposer);
    const down = nodes[i]!;
    await stop(down);
    nodes[i] = undefined;
    const [a] = live();
    await submitAt(a!, 10_000);
    const target = a!.ledger.store.head()!;
    nodes[i] = await start(down.dir);
    await until('caught up', () => nodes[i]!.ledger.store.head()!.height >= target.height, 60_000);
    assert.equal(nodes[i].ledger.store.blockByHeight(target.height)?.hash, target.hash);
    const report = await nodes[i].ledger.verify({ full: true });
    assert.equal(report.ok, true);
    await sameHead();
  });
});

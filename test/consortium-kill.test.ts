/**
 * Consortium failover with real processes: three member nodes, each a process of its own
 * (support/consortium-node-process.ts), over a 3-member etcd cluster on loopback. The proposer's
 * process is killed with SIGKILL while its clients are writing: no goodbye to etcd, its election lease
 * simply stops being renewed. A new proposer must be elected within 5 s, every transaction any node
 * acknowledged must be on the survivors' chains, they must agree on the head, and the killed node,
 * started again on its data directory, must catch up to that head.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initConsortium } from '../src/consortium/consortium-genesis.ts';
import { EtcdCluster } from '../src/ordering/etcd-cluster.ts';
import type { FromChild, ToChild } from './support/consortium-node-process.ts';
import { IpcChild } from './support/ipc-child.ts';
import { until } from './support/until.ts';

const SCRIPT = new URL('./support/consortium-node-process.ts', import.meta.url).pathname;

type Status = Extract<FromChild, { type: 'status' }>;

/** A node process, its latest status and every id it acknowledged. */
class NodeProcess {
  readonly dir: string;
  readonly acked: string[] = [];
  status: Status | undefined;
  readonly #ipc: IpcChild<FromChild, ToChild>;

  constructor(dir: string) {
    this.dir = dir;
    this.#ipc = new IpcChild<FromChild, ToChild>(SCRIPT, [dir], {
      name: `node ${dir}`,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      watch: (m) => {
        if (m.type === 'status') this.status = m;
        else if (m.type === 'acked') this.acked.push(m.id);
        else return false;
        return true;
      },
    });
  }

  send(m: ToChild): void {
    this.#ipc.send(m);
  }

  next<T extends FromChild['type']>(type: T, ms?: number): Promise<Extract<FromChild, { type: T }>> {
    return this.#ipc.next(type, ms);
  }

  /** Ids of `ids` this node's store lacks. */
  async missing(ids: readonly string[]): Promise<string[]> {
    this.send({ type: 'has', ids });
    return (await this.next('has')).missing;
  }

  kill(): Promise<void> {
    return this.#ipc.kill();
  }

  /** A clean stop, or SIGKILL after 10 s. */
  stop(): Promise<void> {
    return this.#ipc.stop(() => {
      this.send({ type: 'close' });
    });
  }
}

const root = mkdtempSync(join(tmpdir(), 'medledger-consortium-kill-'));
let cluster: EtcdCluster;
let nodes: NodeProcess[] = [];

async function sameHead(of: readonly NodeProcess[]): Promise<void> {
  await until(
    'the same head on every live node',
    () => of.every((n) => n.status?.head !== undefined && n.status.head === of[0]!.status?.head),
    20_000,
  );
}

before(async () => {
  cluster = await EtcdCluster.start({ dir: join(root, 'etcd'), members: 3 });
  const { dirs } = await initConsortium({
    dir: root,
    chainId: 'test-consortium-kill',
    endpoints: cluster.endpoints,
    members: [1, 2, 3].map((i) => ({
      org: `hospital-${i}`,
      name: `Hospital ${i}`,
      url: `http://127.0.0.1:${9200 + i}`,
    })),
  });
  nodes = dirs.map((d) => new NodeProcess(d));
  await Promise.all(nodes.map((n) => n.next('ready')));
  await until('a proposer', () => nodes.some((n) => n.status?.isProposer === true));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await (cluster as EtcdCluster | undefined)?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('consortium failover with SIGKILL', { timeout: 180_000 }, () => {
  it('a new proposer within 5 s, no acknowledged transaction lost, one head, the killed node catches up', async () => {
    const dead = nodes.find((n) => n.status?.isProposer === true)!;
    const survivors = nodes.filter((n) => n !== dead);
    // Every node's clients write; the proposer is killed in the middle of it.
    for (const n of nodes) n.send({ type: 'submit', n: 3_000, tag: 'before' });
    await until('transactions acknowledged at the proposer', () => dead.acked.length >= 200);
    await dead.kill();
    const killedAt = Date.now();

    // Fails the test unless a survivor reports itself proposer within 5 s.
    await until('a new proposer', () => survivors.some((n) => n.status?.isProposer === true), 5_000);
    const failoverMs = Date.now() - killedAt;

    // The survivors' clients finish (those that were waiting on the dead proposer are answered by
    // the new one), then every acknowledged transaction, the dead node's included, is on both chains.
    for (const s of await Promise.all(survivors.map((n) => n.next('submitted', 120_000))))
      assert.equal(s.failed, 0, 'a survivor client was refused');
    for (const n of survivors) n.send({ type: 'submit', n: 200, tag: 'after' });
    for (const s of await Promise.all(survivors.map((n) => n.next('submitted', 60_000))))
      assert.equal(s.failed, 0);
    const acked = nodes.flatMap((n) => n.acked);
    for (const n of survivors)
      assert.deepEqual(await n.missing(acked), [], `acknowledged, missing at ${n.dir}`);
    await sameHead(survivors);

    // Started again on its data directory, the killed node catches up to the same head.
    const restarted = new NodeProcess(dead.dir);
    nodes = [...survivors, restarted];
    await restarted.next('ready');
    await sameHead(nodes);
    assert.deepEqual(await restarted.missing(acked), []);
    console.log(
      `# SIGKILL of the proposer: new proposer in ${failoverMs} ms; ${acked.length} acknowledged transactions all kept (${dead.acked.length} by the killed node)`,
    );
  });
});

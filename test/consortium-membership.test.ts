/**
 * Consortium membership through the real HTTP servers: three member nodes (full MedicalNode + API on
 * loopback) over an etcd cluster. A fourth hospital is proposed by one member's admin and admitted
 * only once a second member approves (a quorum of three); it then starts, catches up from its peers on
 * the blocks etcd has already compacted, verifies everything, receives the ciphertexts but no key it
 * is not entitled to, and votes: from then on a block needs three of four votes. A member is then
 * removed the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { buildServer } from '../src/api/server.ts';
import type { NodeServer } from '../src/api/server.ts';
import { seedDemo } from '../src/cli/commands/serve.ts';
import { DEMO_PASSWORD } from '../src/cli/demo-data.ts';
import type { FinalityCertificate } from '../src/core/vote.ts';
import { ConsortiumMember } from '../src/consortium/consortium.ts';
import {
  initConsortium,
  invitationOf,
  prepareJoin,
  readMember,
} from '../src/consortium/consortium-genesis.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { verifyFinality } from '../src/chain/verify-finality.ts';
import { EtcdCluster, freePort } from '../src/ordering/etcd-cluster.ts';
import { lowestHeldBlock } from '../src/ordering/etcd-orderer.ts';
import { DEMO, TEST_KDF } from './support/http-node.ts';
import { until as waitUntil } from './support/until.ts';

interface Running {
  readonly dir: string;
  readonly url: string;
  readonly node: MedicalNode;
  readonly server: NodeServer;
  readonly admin: string;
}

const root = mkdtempSync(join(tmpdir(), 'medledger-membership-'));
const ORGS = [
  { org: 'st-marys', name: "St Mary's Hospital" },
  { org: 'lakeside', name: 'Lakeside General' },
  { org: 'hillcrest', name: 'Hillcrest Clinic' },
];
let cluster: EtcdCluster;
let ports: number[];
const nodes: Running[] = [];

async function startMember(dir: string, port: number): Promise<Running> {
  const { genesis, secrets, indexKey } = readMember(dir);
  const consortium = ConsortiumMember.connect(genesis, { electionTtlSec: 2 });
  const admin = secrets.org === 'st-marys' ? DEMO.admin : `admin@${secrets.org}.example`;
  const { node } = await MedicalNode.open(dir, {
    org: { id: secrets.org, name: secrets.name },
    consortium,
    indexKey,
    adminEmail: admin,
    adminPassword: DEMO_PASSWORD,
    kdf: TEST_KDF,
  });
  const server = await buildServer({ node, logger: false, monitorIntervalMs: 500 });
  const url = await server.listen(port, '127.0.0.1');
  return { dir, url, node, server, admin };
}

async function api(
  n: Running,
  path: string,
  init: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${n.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function login(n: Running, email = n.admin): Promise<string> {
  const r = await api(n, '/api/v1/auth/login', { body: { email, password: DEMO_PASSWORD } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token as string;
}

const until = (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> =>
  waitUntil(what, cond, ms);

const heads = (): (string | undefined)[] => nodes.map((n) => n.node.ledger.store.head()?.hash);

async function sameHead(): Promise<void> {
  await until('every node at the same head', () => heads().every((h) => h === heads()[0]));
}

async function stopAll(): Promise<void> {
  for (const n of nodes.splice(0)) {
    await n.server.close();
    n.node.consortium?.disconnect();
  }
}

before(async () => {
  cluster = await EtcdCluster.start({ dir: join(root, 'etcd'), members: 1 });
  ports = await Promise.all([1, 2, 3, 4].map(() => freePort()));
  const { dirs } = await initConsortium({
    dir: root,
    chainId: 'membership-test',
    endpoints: cluster.endpoints,
    members: ORGS.map((o, i) => ({ ...o, url: `http://127.0.0.1:${String(ports[i])}` })),
    difficulty: 0,
  });
  for (const [i, d] of dirs.entries()) nodes.push(await startMember(d, ports[i]!));
});

after(async () => {
  await stopAll();
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('consortium membership', { timeout: 240_000 }, () => {
  it('admits a new hospital by a quorum of members; it catches up from peers, verifies and votes', async () => {
    const [a, b] = nodes as [Running, Running, Running];
    await seedDemo(a.node, a.dir, 2, false);
    // Enough blocks, voted by every member, for etcd to compact the oldest ones.
    for (let i = 0; i < 40; i++) await a.node.settle(await a.node.submitAsNode('data.put', { i }));
    await sameHead();
    const client = new Etcd3({ hosts: [...cluster.endpoints] });
    const ns = client.namespace('medledger/membership-test/');
    try {
      await until(
        'etcd compacted the blocks every member stored',
        async () => ((await lowestHeldBlock(ns)) ?? 0) > 1,
      );
    } finally {
      client.close();
    }

    // The new hospital prepares its directory from an invitation; its key never leaves it.
    const newDir = join(root, 'eastwood');
    const url = `http://127.0.0.1:${String(ports[3])}`;
    const proposal = prepareJoin({
      invitation: invitationOf(a.dir),
      dir: newDir,
      org: 'eastwood',
      name: 'Eastwood Clinic',
      url,
    });
    const adminA = await login(a);
    const doctor = await login(a, DEMO.chen);
    assert.equal(
      (await api(a, '/api/v1/consortium/proposals', { token: doctor, body: proposal })).status,
      403,
    );
    const made = await api(a, '/api/v1/consortium/proposals', { token: adminA, body: proposal });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.status, 'open');
    assert.equal(made.body.needed, 2);
    const id = made.body.id as string;
    await sameHead();
    for (const n of nodes)
      assert.equal(n.node.ledger.directory.nodeKeys().size, 3, 'one member is not a quorum');

    const adminB = await login(b);
    const approved = await api(b, `/api/v1/consortium/proposals/${id}/approve`, { token: adminB, body: {} });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await sameHead();
    const listed = await api(a, '/api/v1/consortium/members', { token: adminA });
    assert.equal((listed.body.members as unknown[]).length, 4);
    assert.equal(listed.body.quorum, 3);
    const again = await api(b, `/api/v1/consortium/proposals/${id}/approve`, { token: adminB, body: {} });
    assert.ok(again.status >= 400 && again.status < 500, 'a decided proposal takes no more approvals');

    // The new member starts: blocks 0.. are gone from etcd, so it reads them from its peers.
    const d = await startMember(newDir, ports[3]!);
    nodes.push(d);
    await sameHead();
    assert.ok(d.node.ledger.hasOrg('eastwood'));
    const report = await d.node.ledger.verify({ full: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems.slice(0, 3)));
    const dir = d.node.ledger.directory;
    const finality = verifyFinality(d.node.ledger.store, (h) => dir.nodeKeysAt(h));
    assert.equal(finality.ok, true, JSON.stringify(finality.problems.slice(0, 3)));
    assert.ok(finality.certificates > 40, `certificates from peers: ${String(finality.certificates)}`);

    // It votes: a block written now is final with three of the four members' votes.
    const tx = await d.node.submitAsNode('data.put', { from: 'eastwood' });
    await d.node.settle(tx);
    const height = d.node.ledger.store.txById(tx)!.height;
    await until('the new block final at every node', () =>
      nodes.every((n) => n.node.ledger.store.blockByHeight(height)?.certificate !== undefined),
    );
    for (const n of nodes) {
      const cert = JSON.parse(n.node.ledger.store.blockByHeight(height)!.certificate!) as FinalityCertificate;
      assert.ok(cert.votes.length >= 3, `quorum of 4 members is 3, got ${String(cert.votes.length)}`);
    }

    // Ciphertexts replicate to the new member; record keys do not (no consent to eastwood).
    const records = [...a.node.state.records.values()];
    assert.ok(records.length > 0);
    await until('the new member holds every ciphertext', () =>
      records.every((r) => d.node.vault.hasBlob(r.id, r.blob)),
    );
    for (const r of records) assert.equal([...d.node.vault.keysOf(r.id)].length, 0, `no key for ${r.id}`);

    // The patient (enrolled at St Mary's) consents to Eastwood: St Mary's wraps the keys for it, and the
    // Eastwood node fetches exactly those — the other patient's records stay unreadable there.
    const patient = await login(a, DEMO.patient);
    const granted = await api(a, '/api/v1/consents', {
      token: patient,
      body: {
        grantee: { kind: 'organization', orgId: 'eastwood' },
        purpose: 'treatment',
        validTo: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    const blind = a.node.ledger.directory.active(a.node.accounts.byEmail(DEMO.patient)!.keyId)!.patient!;
    const mine = records.filter((r) => r.patient === blind);
    const others = records.filter((r) => r.patient !== blind);
    assert.ok(mine.length > 0 && others.length > 0);
    await until('Eastwood holds the keys of the consenting patient', () =>
      mine.every((r) => d.node.vault.keysOf(r.id).has('org:eastwood')),
    );
    for (const r of others) assert.equal(d.node.vault.keysOf(r.id).size, 0, `no key for ${r.id}`);
  });

  it('removes a member by quorum; the others go on without it', async () => {
    const [a, b, c] = nodes as [Running, Running, Running, Running];
    const gone = c.node.ledger.signer.keyId;
    const adminA = await login(a);
    const made = await api(a, '/api/v1/consortium/proposals', {
      token: adminA,
      body: { action: 'remove', keyId: gone },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.needed, 3);
    const adminB = await login(b);
    await api(b, `/api/v1/consortium/proposals/${made.body.id as string}/approve`, {
      token: adminB,
      body: {},
    });
    assert.equal(a.node.ledger.directory.nodeKeys().size, 4, 'two of four is not a quorum');
    const d = nodes[3]!;
    const adminD = await login(d);
    const r = await api(d, `/api/v1/consortium/proposals/${made.body.id as string}/approve`, {
      token: adminD,
      body: {},
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await sameHead();
    for (const n of nodes) assert.equal(n.node.ledger.directory.nodeKeys().has(gone), false);
    assert.equal(c.node.consortium?.isProposer, false);
    // The chain goes on with three members (quorum 2), and the removed node still follows it.
    await a.node.settle(await a.node.submitAsNode('data.put', { after: 'removal' }));
    await sameHead();
  });
});

/**
 * @module
 * A proof checked by a client that trusts only the node's public key (Certificate Transparency's model,
 * RFC 9162 §2.1.3 inclusion and §2.1.4 consistency): the client fetches the key once, then checks a
 * record's proof with nothing but `src/core` — the tx body hashes to the tx id (the RFC 6962 leaf),
 * the audit path leads to the log root of a head whose hash it recomputes and whose signature it
 * verifies. Every single-byte change to what the node sent makes the check fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blockHash, parseHeader, verifyBlockSignature } from '../src/core/block.ts';
import type { BlockHeader } from '../src/core/block.ts';
import { fromHex, toHex } from '../src/core/bytes.ts';
import { generateSigner, keyIdOf, publicKeyObject } from '../src/core/keys.ts';
import { verifyConsistency, verifyInclusion } from '../src/core/merkle/verify.ts';
import { txIdOf } from '../src/core/tx.ts';
import { syntheticPatients } from '../src/sim/synthetic.ts';
import { DEMO, postObservations, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface SignedHead {
  header: BlockHeader;
  hash: string;
  signature: string;
}
interface ProofJson {
  txId: string;
  tx: { body: string; sig: string };
  leafIndex: number;
  treeSize: number;
  proof: string[];
  block: SignedHead & { height: number };
  head: SignedHead;
}

/** A signed head checked against the trusted key: the hash is recomputed, never taken from the node. */
function checkHead(h: SignedHead, publicKeyHex: string): void {
  const header = parseHeader(h.header);
  const hash = blockHash(header);
  assert.equal(hash, h.hash, 'head hash does not match its header');
  assert.equal(header.proposer, keyIdOf(fromHex(publicKeyHex, 32, 'publicKey')), 'head from another key');
  assert.ok(
    verifyBlockSignature(publicKeyObject(publicKeyHex), hash, fromHex(h.signature, 64, 'signature')),
    'head signature does not verify',
  );
}

/** The client's whole check of a record proof; throws on any failure. */
function verifyProof(p: ProofJson, publicKeyHex: string, recordId: string): void {
  const id = txIdOf(p.tx.body);
  assert.equal(toHex(id), p.txId, 'tx body does not hash to the tx id');
  const body = JSON.parse(p.tx.body) as { type: string; payload: { record: string } };
  assert.equal(body.type, 'record.add');
  assert.equal(body.payload.record, recordId);
  checkHead(p.head, publicKeyHex);
  assert.equal(p.treeSize, p.head.header.logSize, 'proof is not against the signed head');
  verifyInclusion(
    p.leafIndex,
    p.treeSize,
    id,
    p.proof.map((h, i) => fromHex(h, 32, `proof[${String(i)}]`)),
    fromHex(p.head.header.logRoot, 32, 'logRoot'),
  );
  // The containing block is signed by the same key and lies within the head's log.
  checkHead(p.block, publicKeyHex);
  assert.ok(
    p.leafIndex < p.block.header.logSize && p.leafIndex >= p.block.header.logSize - p.block.header.txCount,
  );
}

function flipHex(hex: string, at = 0): string {
  const i = at % hex.length;
  return hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
}

describe('http proof', () => {
  let t: TestNode;
  let token: string;
  let publicKey: string;
  let recordId: string;
  let proof: ProofJson;

  before(async () => {
    t = await startTestNode({ patients: 1 });
    token = await t.login(DEMO.chen);
    const node = (await (await t.api('/api/v1/node', { token })).json()) as { publicKey: string };
    publicKey = node.publicKey;
    const patientId = syntheticPatients(1, { seed: 1, now: t.node.now })[0]!.patient.id!;
    const r = await t.api('/api/v1/records', {
      token,
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Heart rate' },
        subject: { reference: `Patient/${patientId}` },
        valueQuantity: { value: 70, unit: '/min' },
      },
    });
    assert.equal(r.status, 201);
    recordId = ((await r.json()) as { id: string }).id;
    const pr = await t.api(`/api/v1/records/${recordId}/proof`, { token });
    assert.equal(pr.status, 200);
    proof = (await pr.json()) as ProofJson;
  });
  after(async () => {
    await t.close();
  });

  it('requires authentication and a known record', async () => {
    assert.equal((await t.api(`/api/v1/records/${recordId}/proof`)).status, 401);
    assert.equal((await t.api('/api/v1/records/no-such-record/proof', { token })).status, 404);
    assert.equal((await t.api(`/api/v1/chain/txs/${'0'.repeat(64)}/proof`, { token })).status, 404);
  });

  it('fails under another key', () => {
    const other = toHex(generateSigner().publicKey);
    assert.throws(() => {
      verifyProof(proof, other, recordId);
    });
  });

  it('fails when any byte is changed', () => {
    const cases: [string, (p: ProofJson) => ProofJson][] = [
      [
        'tx body',
        (p) => ({ ...p, tx: { ...p.tx, body: p.tx.body.replace('"record.add"', '"record.amend"') } }),
      ],
      ['tx id', (p) => ({ ...p, txId: flipHex(p.txId, 5) })],
      ['leaf index', (p) => ({ ...p, leafIndex: p.leafIndex === 0 ? 1 : p.leafIndex - 1 })],
      ['tree size', (p) => ({ ...p, treeSize: p.treeSize + 1 })],
      [
        'head log root',
        (p) => ({
          ...p,
          head: { ...p.head, header: { ...p.head.header, logRoot: flipHex(p.head.header.logRoot) } },
        }),
      ],
      [
        'head time',
        (p) => ({ ...p, head: { ...p.head, header: { ...p.head.header, time: p.head.header.time + 1 } } }),
      ],
      ['head hash', (p) => ({ ...p, head: { ...p.head, hash: flipHex(p.head.hash, 63) } })],
      ['head signature', (p) => ({ ...p, head: { ...p.head, signature: flipHex(p.head.signature, 17) } })],
      ['block signature', (p) => ({ ...p, block: { ...p.block, signature: flipHex(p.block.signature, 3) } })],
    ];
    // Each hash of the audit path, at a few byte positions.
    for (let i = 0; i < proof.proof.length; i++)
      for (const at of [0, 31, 63])
        cases.push([
          `proof[${String(i)}]@${String(at)}`,
          (p) => ({ ...p, proof: p.proof.map((h, j) => (j === i ? flipHex(h, at) : h)) }),
        ]);
    cases.push(['proof too short', (p) => ({ ...p, proof: p.proof.slice(1) })]);
    cases.push(['proof too long', (p) => ({ ...p, proof: [...p.proof, p.proof[0]!] })]);
    assert.ok(proof.proof.length >= 2, 'a proof with a real audit path');
    for (const [desc, mutate] of cases)
      assert.throws(
        () => {
          verifyProof(mutate(structuredClone(proof)), publicKey, recordId);
        },
        Error,
        desc,
      );
  });

  it('success: the inclusion proof verifies with the node key alone', async () => {
    verifyProof(proof, publicKey, recordId);
    // The proof's key matches what /node says, and the same proof is served under the tx id.
    const byTx = (await (
      await t.api(`/api/v1/chain/txs/${proof.txId}/proof`, { token })
    ).json()) as ProofJson;
    verifyProof(byTx, publicKey, recordId);
    assert.equal(byTx.leafIndex, proof.leafIndex);
    // Any signed-in role may check (the chain holds no PHI).
    const patient = await t.login(DEMO.patient);
    const mine = await t.api(`/api/v1/records/${recordId}/proof`, { token: patient });
    assert.equal(mine.status, 200);
    verifyProof((await mine.json()) as ProofJson, publicKey, recordId);
  });

  it('rejects consistency requests out of range', async () => {
    const size = t.node.ledger.logSize;
    for (const q of [
      '',
      'from=0',
      'from=abc',
      `from=2&to=1`,
      `from=1&to=${String(size + 1000)}`,
      'from=1&x=2',
    ])
      assert.equal((await t.api(`/api/v1/chain/consistency?${q}`, { token })).status, 400, q);
  });

  it('success: a consistency proof links an old signed head to a new one', async () => {
    const oldHead = (await (await t.api('/api/v1/chain/head', { token })).json()) as SignedHead;
    checkHead(oldHead, publicKey);
    // Grow the log by more than one block.
    const patientId = syntheticPatients(1, { seed: 1, now: t.node.now })[0]!.patient.id!;
    await postObservations(t, token, patientId, 'Reading', 3);
    const newHead = (await (await t.api('/api/v1/chain/head', { token })).json()) as SignedHead;
    checkHead(newHead, publicKey);
    const from = oldHead.header.logSize;
    const to = newHead.header.logSize;
    assert.ok(to > from + 2, `${String(from)} → ${String(to)}`);
    const r = await t.api(`/api/v1/chain/consistency?from=${String(from)}&to=${String(to)}`, { token });
    assert.equal(r.status, 200);
    const c = (await r.json()) as { from: number; to: number; proof: string[] };
    assert.deepEqual([c.from, c.to], [from, to]);
    const hashes = c.proof.map((h) => fromHex(h, 32, 'proof'));
    const oldRoot = fromHex(oldHead.header.logRoot, 32, 'root1');
    const newRoot = fromHex(newHead.header.logRoot, 32, 'root2');
    verifyConsistency(from, to, hashes, oldRoot, newRoot);
    // A forked history (another old root) or an altered proof does not verify.
    assert.throws(() => {
      verifyConsistency(from, to, hashes, fromHex(flipHex(oldHead.header.logRoot), 32, 'r'), newRoot);
    });
    for (let i = 0; i < hashes.length; i++) {
      const bad = hashes.map((h, j) => (j === i ? fromHex(flipHex(c.proof[i]!, 10), 32, 'h') : h));
      assert.throws(
        () => {
          verifyConsistency(from, to, bad, oldRoot, newRoot);
        },
        `proof[${String(i)}]`,
      );
    }
    // Every earlier head of the chain is consistent with the new one (a client that saw any of them).
    for (let h = 1; h <= newHead.header.height; h += 3) {
      const b = (await (await t.api(`/api/v1/chain/blocks/${String(h)}`, { token })).json()) as SignedHead;
      checkHead(b, publicKey);
      const cr = (await (
        await t.api(`/api/v1/chain/consistency?from=${String(b.header.logSize)}&to=${String(to)}`, { token })
      ).json()) as { proof: string[] };
      verifyConsistency(
        b.header.logSize,
        to,
        cr.proof.map((x) => fromHex(x, 32, 'p')),
        fromHex(b.header.logRoot, 32, 'r1'),
        newRoot,
      );
    }
  });
});

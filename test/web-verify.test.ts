/**
 * @module
 * The portal's browser verifier (web/src/lib/verify, WebCrypto only) checked against the node's own
 * core: the canonicalizer and every hash agree with src/core on generated inputs, the inclusion walk
 * reproduces the RFC 6962 / transparency-dev vectors, Ed25519 passes RFC 8032 test 1, and real proofs
 * from a test node verify while each mutation of one fails at the step that checks it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { blockHash } from '../src/core/block.ts';
import type { BlockHeader } from '../src/core/block.ts';
import { canonicalize as coreCanonicalize } from '../src/core/canonical-json.ts';
import { keyIdOf as coreKeyIdOf } from '../src/core/keys.ts';
import { merkleRoot as coreMerkleRoot } from '../src/core/merkle/root.ts';
import { refLeaf, refLeaves, refPath, refRoot } from '../src/core/merkle/reference.test-util.ts';
import { INCLUSION_VECTORS, LEAVES_HEX, ROOTS_HEX } from '../src/core/merkle/vectors.test-util.ts';
import { leadingZeroBits as coreLeadingZeroBits } from '../src/core/pow.ts';
import { txIdOf as coreTxIdOf } from '../src/core/tx.ts';
import { syntheticPatients } from '../src/sim/synthetic.ts';
import { fromHex, toHex } from '../web/src/lib/verify/bytes.ts';
import { CanonicalJsonError, canonicalize } from '../web/src/lib/verify/canonical-json.ts';
import {
  blockHashOf,
  keyIdOf,
  leadingZeroBits,
  merkleRoot,
  sha256,
  txIdOf,
  verifyEd25519,
} from '../web/src/lib/verify/hashes.ts';
import { ProofShapeError, walkInclusion } from '../web/src/lib/verify/inclusion.ts';
import type { BlockJson, ProofJson } from '../src/api/contract/chain.ts';
import { verifyBlock } from '../web/src/lib/verify/verify-block.ts';
import { verifyProof } from '../web/src/lib/verify/verify-proof.ts';
import { DEMO, postObservations, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const flipHex = (h: string, at = 0): string => {
  const i = at % h.length;
  return h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1);
};

describe('web verify: canonical JSON', () => {
  it('rejects what the core rejects', () => {
    const bad: unknown[] = [
      NaN,
      Infinity,
      undefined,
      () => 1,
      1n,
      new Date(0),
      { a: undefined },
      ['\ud800'],
      { '\udc00': 1 },
    ];
    for (const v of bad) {
      assert.throws(() => coreCanonicalize(v));
      assert.throws(() => canonicalize(v), CanonicalJsonError);
    }
  });

  it('matches RFC 8785 examples', () => {
    assert.equal(canonicalize({ b: [1, -0, 1e21], a: 'é\n' }), '{"a":"é\\n","b":[1,0,1e+21]}');
    // §3.2.3: sorted by UTF-16 code units ("\u20ac" before "\ud83d\ude00" before "\ufb33").
    assert.equal(
      canonicalize({ '\ufb33': 1, '\ud83d\ude00': 2, '\u20ac': 3, '1': 4, '\r': 5 }),
      '{"\\r":5,"1":4,"\u20ac":3,"\ud83d\ude00":2,"\ufb33":1}',
    );
    assert.equal(
      canonicalize([4.5, 0.000001, 1e-7, 333333333.3333333]),
      '[4.5,0.000001,1e-7,333333333.3333333]',
    );
  });

  it('agrees with the core on generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        assert.equal(canonicalize(v), coreCanonicalize(v));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof(fc.double(), fc.string({ unit: 'binary' }))),
        (v) => {
          let core: string | Error;
          try {
            core = coreCanonicalize(v);
          } catch (e) {
            core = e as Error;
          }
          if (typeof core === 'string') assert.equal(canonicalize(v), core);
          else assert.throws(() => canonicalize(v), CanonicalJsonError);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('web verify: hashes', () => {
  it('computes SHA-256 (FIPS 180-4 "abc") and RFC 6962 leaves', async () => {
    assert.equal(
      toHex(await sha256(new TextEncoder().encode('abc'))),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const leaves = LEAVES_HEX.map((d) => refLeaf(fromHex(d, undefined, 'leaf')));
    for (let n = 1; n <= leaves.length; n++)
      assert.equal(
        toHex(await merkleRoot(leaves.slice(0, n).map((l) => new Uint8Array(l)))),
        ROOTS_HEX[n - 1],
      );
    assert.equal(
      toHex(await merkleRoot([])),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('agrees with the core on tx ids, block hashes, key ids, Merkle roots and zero bits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), fc.nat(), async (payload, time) => {
        const body = coreCanonicalize({
          type: 'access.log',
          payload,
          signer: 'ab'.repeat(32),
          time,
          nonce: '0'.repeat(32),
        });
        assert.equal(toHex(await txIdOf(body)), hex(coreTxIdOf(body)));
      }),
      { numRuns: 100 },
    );
    const header: BlockHeader = {
      height: 7,
      prevHash: 'a'.repeat(64),
      merkleRoot: 'b'.repeat(64),
      logSize: 99,
      logRoot: 'c'.repeat(64),
      time: 1795320012437,
      difficulty: 4,
      nonce: 62,
      proposer: 'd'.repeat(64),
      txCount: 2,
    };
    assert.equal(toHex(await blockHashOf(header)), blockHash(header));
    const pub = new Uint8Array(32).fill(7);
    assert.equal(toHex(await keyIdOf(pub)), coreKeyIdOf(pub));
    for (let n = 0; n <= 17; n++) {
      const leaves = refLeaves(n);
      assert.equal(
        toHex(await merkleRoot(leaves.map((l) => new Uint8Array(l)))),
        hex(coreMerkleRoot(leaves)),
      );
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 6 }), (b) => {
        assert.equal(leadingZeroBits(b), coreLeadingZeroBits(b));
      }),
    );
  });

  it('verifies Ed25519 with WebCrypto (RFC 8032 §7.1 test 1) and rejects a changed byte', async () => {
    const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 32, 'pub');
    const sig = fromHex(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      64,
      'sig',
    );
    const empty = new Uint8Array(0);
    assert.equal(await verifyEd25519(pub, empty, sig), true);
    sig[0]! ^= 1;
    assert.equal(await verifyEd25519(pub, empty, sig), false);
    assert.equal(await verifyEd25519(pub, new Uint8Array([0]), fromHex('00'.repeat(64), 64, 's')), false);
  });
});

/** The length of the RFC 6962 audit path of leaf `m` in a tree of `n` leaves, from the reference tree. */
function auditPathLength(m: number, n: number): number {
  return refPath(
    m,
    Array.from({ length: n }, () => new Uint8Array(32)),
  ).length;
}

describe('web verify: inclusion walk', () => {
  const leaves = LEAVES_HEX.map((d) => new Uint8Array(refLeaf(fromHex(d, undefined, 'leaf'))));

  it('for every tree size, a proof walked at another size fails its shape exactly when the path length differs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 600 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 2 * n })),
          ),
        async ([n, m, other]) => {
          fc.pre(other !== n);
          const ls = refLeaves(n);
          const path = refPath(m, ls).map((p) => new Uint8Array(p));
          const walked = walkInclusion(m, other, new Uint8Array(ls[m]!), path);
          if (m >= other || auditPathLength(m, other) !== path.length)
            await assert.rejects(walked, ProofShapeError);
          else assert.match((await walked).root, /^[0-9a-f]{64}$/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails on a wrong shape: index out of range, too short, too long', async () => {
    await assert.rejects(walkInclusion(8, 8, leaves[0]!, []), ProofShapeError);
    const v = INCLUSION_VECTORS[1]!;
    const proof = v.proof.map((h) => fromHex(h, 32, 'p'));
    await assert.rejects(walkInclusion(v.index, v.size, leaves[v.index]!, proof.slice(1)), ProofShapeError);
    await assert.rejects(
      walkInclusion(v.index, v.size, leaves[v.index]!, [...proof, proof[0]!]),
      ProofShapeError,
    );
  });

  it('reproduces the published vectors', async () => {
    for (const v of INCLUSION_VECTORS) {
      const w = await walkInclusion(
        v.index,
        v.size,
        leaves[v.index]!,
        v.proof.map((h) => fromHex(h, 32, 'p')),
      );
      assert.equal(w.root, ROOTS_HEX[v.size - 1], `${String(v.index)}/${String(v.size)}`);
      assert.equal(w.steps.length, v.proof.length);
      assert.equal(w.steps.at(-1)?.parent ?? toHex(leaves[v.index]!), w.root);
    }
  });

  it('agrees with the reference tree for every leaf of trees up to 33, with true levels and sides', async () => {
    for (let n = 1; n <= 33; n++) {
      const ls = refLeaves(n);
      const root = hex(refRoot(ls));
      for (let m = 0; m < n; m++) {
        const w = await walkInclusion(
          m,
          n,
          new Uint8Array(ls[m]!),
          refPath(m, ls).map((p) => new Uint8Array(p)),
        );
        assert.equal(w.root, root, `${String(m)}/${String(n)}`);
        // Levels strictly rise; a left sibling means our node is a right child at that level.
        for (let i = 1; i < w.steps.length; i++) assert.ok(w.steps[i]!.level > w.steps[i - 1]!.level);
        for (const s of w.steps) assert.equal(s.side === 'left', Math.floor(m / 2 ** s.level) % 2 === 1);
      }
    }
  });
});

describe('web verify: proofs from a node', { timeout: 60_000 }, () => {
  let t: TestNode;
  let key: string;
  let recordId: string;
  let proof: ProofJson;
  let blockTxIds: string[];
  let token: string;

  before(async () => {
    t = await startTestNode({ patients: 1 });
    token = await t.login(DEMO.chen);
    key = ((await (await t.api('/api/v1/node', { token })).json()) as { publicKey: string }).publicKey;
    const patientId = syntheticPatients(1, { seed: 1, now: t.node.now })[0]!.patient.id!;
    recordId = (await postObservations(t, token, patientId, 'Heart rate', 3))[0]!;
    proof = (await (await t.api(`/api/v1/records/${recordId}/proof`, { token })).json()) as ProofJson;
    const block = (await (
      await t.api(`/api/v1/chain/blocks/${String(proof.block.height)}`, { token })
    ).json()) as BlockJson;
    blockTxIds = block.txs.map((x) => x.id);
  });
  after(async () => {
    await t.close();
  });

  it('fails each mutated proof at the step that checks it', async () => {
    const other = 'ab'.repeat(32);
    const cases: [string, (p: ProofJson) => ProofJson, string][] = [
      ['other trusted key', (p) => ({ ...p, proposerPublicKey: other }), 'trusted-key'],
      [
        'body not canonical',
        (p) => ({ ...p, tx: { ...p.tx, body: p.tx.body.replace('{', '{ ') } }),
        'tx-canonical',
      ],
      [
        'body changed',
        (p) => ({ ...p, tx: { ...p.tx, body: p.tx.body.replace('"record.add"', '"record.amend"') } }),
        'tx-id',
      ],
      ['tx id', (p) => ({ ...p, txId: flipHex(p.txId, 9) }), 'tx-id'],
      ['wrong index', (p) => ({ ...p, leafIndex: p.leafIndex - 1 }), 'log-root'],
      ['index out of range', (p) => ({ ...p, leafIndex: p.treeSize }), 'inclusion-path'],
      ['proof too short', (p) => ({ ...p, proof: p.proof.slice(1) }), 'inclusion-path'],
      ['proof too long', (p) => ({ ...p, proof: [...p.proof, p.proof[0]!] }), 'inclusion-path'],
      [
        'sibling not hex',
        (p) => ({ ...p, proof: p.proof.map((h, i) => (i === 0 ? h.slice(2) : h)) }),
        'inclusion-path',
      ],
      // One more leaf: the walk fails first when the audit path of the larger tree has another length
      // (RFC 9162 §2.1.3.2 steps 3a and 4); otherwise it ends at a root and the tree-size check names it.
      [
        'tree size',
        (p) => ({ ...p, treeSize: p.treeSize + 1 }),
        auditPathLength(proof.leafIndex, proof.treeSize + 1) === proof.proof.length
          ? 'tree-size'
          : 'inclusion-path',
      ],
      [
        'head log root',
        (p) => ({
          ...p,
          head: { ...p.head, header: { ...p.head.header, logRoot: flipHex(p.head.header.logRoot, 3) } },
        }),
        'log-root',
      ],
      [
        'head time',
        (p) => ({ ...p, head: { ...p.head, header: { ...p.head.header, time: p.head.header.time + 1 } } }),
        'head-hash',
      ],
      ['head hash sent', (p) => ({ ...p, head: { ...p.head, hash: flipHex(p.head.hash, 63) } }), 'head-hash'],
      [
        'head signature',
        (p) => ({ ...p, head: { ...p.head, signature: flipHex(p.head.signature, 17) } }),
        'head-signature',
      ],
      [
        'head difficulty',
        (p) => ({ ...p, head: { ...p.head, header: { ...p.head.header, difficulty: 200 } } }),
        'head-hash',
      ],
      [
        'block signature',
        (p) => ({ ...p, block: { ...p.block, signature: flipHex(p.block.signature, 3) } }),
        'block-signature',
      ],
      [
        'block merkle root',
        (p) => ({
          ...p,
          block: {
            ...p.block,
            header: { ...p.block.header, merkleRoot: flipHex(p.block.header.merkleRoot) },
          },
        }),
        'block-hash',
      ],
    ];
    for (let i = 0; i < proof.proof.length; i++)
      for (const at of [0, 31, 63])
        cases.push([
          `sibling ${String(i)} byte ${String(at)}`,
          (p) => ({ ...p, proof: p.proof.map((h, j) => (j === i ? flipHex(h, at) : h)) }),
          'log-root',
        ]);
    assert.ok(proof.proof.length >= 2, 'a real audit path');
    for (const [desc, mutate, step] of cases) {
      const r = await verifyProof(mutate(structuredClone(proof)), key, { recordId, blockTxIds });
      assert.equal(r.ok, false, desc);
      assert.equal(r.firstFailure, step, `${desc}: ${JSON.stringify(r.checks.filter((c) => !c.ok))}`);
    }
    const grown = await verifyProof({ ...proof, treeSize: proof.treeSize + 1 }, key, {
      recordId,
      blockTxIds,
    });
    assert.ok(
      grown.checks.some((c) => c.id === 'tree-size' && !c.ok),
      'a changed tree size fails tree-size',
    );
    // A proof of another record's transaction, and a block listing other transactions.
    const r1 = await verifyProof(proof, key, { recordId: 'another-record', blockTxIds });
    assert.equal(r1.firstFailure, 'tx-record');
    const r2 = await verifyProof(proof, key, {
      recordId,
      blockTxIds: blockTxIds.filter((x) => x !== proof.txId),
    });
    assert.equal(r2.firstFailure, 'block-merkle-root');
  });

  it('success: a record proof verifies with the node key alone, and so does every block', async () => {
    const r = await verifyProof(proof, key, { recordId, blockTxIds });
    assert.deepEqual(
      r.checks.filter((c) => !c.ok),
      [],
    );
    assert.equal(r.ok, true);
    assert.equal(r.checks.length, 17);
    assert.equal(r.leaf, proof.txId);
    assert.equal(r.walk?.root, proof.head.header.logRoot);
    assert.equal(r.walk.steps.length, proof.proof.length);
    // The same proof served under the tx id (the explorer's other way in).
    const byTx = (await (
      await t.api(`/api/v1/chain/txs/${proof.txId}/proof`, { token })
    ).json()) as ProofJson;
    assert.equal((await verifyProof(byTx, key)).ok, true);
    for (let h = 0; h <= t.node.ledger.height; h++) {
      const b = (await (await t.api(`/api/v1/chain/blocks/${String(h)}`, { token })).json()) as BlockJson;
      const checks = await verifyBlock(b, key);
      assert.deepEqual(
        checks.filter((c) => !c.ok),
        [],
        `block ${String(h)}`,
      );
      const bad = await verifyBlock({ ...b, txs: b.txs.slice(1) }, key);
      assert.deepEqual(
        bad.filter((c) => !c.ok).map((c) => c.id),
        ['block-merkle-root'],
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../bytes.ts';
import {
  ArgumentTypeError,
  ArgumentValueError,
  MerkleIndexError,
  ProofSizeError,
  RootMismatchError,
} from '../errors.ts';
import { CompactRange } from './compact-range.ts';
import { rfc6962 } from './hasher.ts';
import type { NodeId } from './node-id.ts';
import { nodeKey } from './node-id.ts';
import type { ProofPlan } from './proof-plan.ts';
import { assembleProof, planConsistency, planInclusion, planNodeIds } from './proof-plan.ts';
import { refLeaves, refPath, refProof } from './reference.test-util.ts';
import { CONSISTENCY_VECTORS, INCLUSION_VECTORS, LEAVES_HEX } from './vectors.test-util.ts';
import { rootFromInclusionProof, verifyConsistency } from './verify.ts';

/** A node store as a real one is filled: only the perfect nodes CompactRange.append reports. */
function storeOf(leafHashes: readonly Uint8Array[]): (id: NodeId) => Uint8Array {
  const nodes = new Map<string, Uint8Array>();
  const range = new CompactRange();
  for (const leaf of leafHashes) for (const n of range.append(leaf)) nodes.set(nodeKey(n), n.hash);
  return (id) => {
    const hash = nodes.get(nodeKey(id));
    if (hash === undefined) throw new Error(`node ${nodeKey(id)} not stored`);
    return hash;
  };
}

/** A plan as [level, index] pairs, for readable expectations. */
function pairs(plan: ProofPlan): number[][][] {
  return plan.elements.map((element) => element.map(({ level, index }) => [level, index]));
}

const CT_LEAVES = LEAVES_HEX.map((hex) => rfc6962.hashLeaf(fromHex(hex, undefined, 'leaf')));

void describe('planInclusion', () => {
  void it('rejects an index outside the tree', () => {
    assert.throws(() => planInclusion(0, 0), MerkleIndexError);
    assert.throws(() => planInclusion(8, 8), MerkleIndexError);
    assert.throws(() => planInclusion(-1, 8), ArgumentValueError);
    assert.throws(() => planInclusion(1.5, 8), ArgumentValueError);
    assert.throws(() => planInclusion('1' as unknown as number, 8), ArgumentTypeError);
  });

  void it('plans no hashes for a one-leaf tree', () => {
    assert.deepEqual(planInclusion(0, 1).elements, []);
  });

  void it('plans siblings bottom-up in a perfect tree', () => {
    assert.deepEqual(pairs(planInclusion(5, 8)), [[[0, 4]], [[1, 3]], [[2, 0]]]);
  });

  void it('plans an ephemeral right-edge node from the perfect nodes under it', () => {
    // PATH(0, D[7]) = [leaf 1, MTH(D[2:4]), MTH(D[4:7])]; D[4:7] = node (1,2) then leaf 6.
    assert.deepEqual(pairs(planInclusion(0, 7)), [
      [[0, 1]],
      [[1, 1]],
      [
        [1, 2],
        [0, 6],
      ],
    ]);
  });

  void it('assembles the CT reference inclusion proofs', () => {
    for (const v of INCLUSION_VECTORS) {
      const proof = assembleProof(planInclusion(v.index, v.size), storeOf(CT_LEAVES.slice(0, v.size)));
      assert.deepEqual(proof.map(toHex), v.proof, `index ${v.index} size ${v.size}`);
    }
  });

  void it('assembles the reference PATH for random trees', () => {
    const cases = fc
      .integer({ min: 1, max: 300 })
      .chain((size) => fc.tuple(fc.nat(size - 1), fc.constant(size)));
    fc.assert(
      fc.property(cases, ([index, size]) => {
        const leaves = refLeaves(size);
        const proof = assembleProof(planInclusion(index, size), storeOf(leaves));
        assert.deepEqual(proof, refPath(index, leaves));
      }),
      { numRuns: 150 },
    );
  });
});

void describe('planConsistency', () => {
  void it('rejects size1 > size2', () => {
    assert.throws(() => planConsistency(9, 8), MerkleIndexError);
    assert.throws(() => planConsistency(1, 0), MerkleIndexError);
    assert.throws(() => planConsistency(-1, 8), ArgumentValueError);
  });

  void it('plans no hashes for equal sizes or an empty old tree', () => {
    assert.deepEqual(planConsistency(0, 0).elements, []);
    assert.deepEqual(planConsistency(0, 5).elements, []);
    assert.deepEqual(planConsistency(5, 5).elements, []);
  });

  void it('plans the old edge subtree first, then SUBPROOF bottom-up', () => {
    // PROOF(6, D[8]) = [MTH(D[4:6]), MTH(D[6:8]), MTH(D[0:4])]
    assert.deepEqual(pairs(planConsistency(6, 8)), [[[1, 2]], [[1, 3]], [[2, 0]]]);
    // PROOF(4, D[7]) = [MTH(D[4:7])]: ephemeral, root1 itself is not sent.
    assert.deepEqual(pairs(planConsistency(4, 7)), [
      [
        [1, 2],
        [0, 6],
      ],
    ]);
  });

  void it('assembles the CT reference consistency proofs', () => {
    for (const v of CONSISTENCY_VECTORS) {
      const proof = assembleProof(planConsistency(v.size1, v.size2), storeOf(CT_LEAVES.slice(0, v.size2)));
      assert.deepEqual(proof.map(toHex), v.proof, `${v.size1} → ${v.size2}`);
    }
  });

  void it('assembles the reference PROOF for random trees', () => {
    const cases = fc
      .integer({ min: 0, max: 300 })
      .chain((size2) => fc.tuple(fc.nat(size2), fc.constant(size2)));
    fc.assert(
      fc.property(cases, ([size1, size2]) => {
        const leaves = refLeaves(size2);
        const proof = assembleProof(planConsistency(size1, size2), storeOf(leaves));
        assert.deepEqual(proof, refProof(size1, leaves));
      }),
      { numRuns: 150 },
    );
  });
});

void describe('planNodeIds and assembleProof', () => {
  void it('rejects a stored hash of the wrong size', () => {
    assert.throws(() => assembleProof(planInclusion(0, 2), () => new Uint8Array(31)), ArgumentValueError);
  });

  void it('rejects a plan element with no nodes', () => {
    assert.throws(() => assembleProof({ elements: [[]] }, () => new Uint8Array(32)), ArgumentValueError);
  });

  void it('deduplicates node ids', () => {
    const plan: ProofPlan = {
      elements: [
        [{ level: 1, index: 0 }],
        [
          { level: 1, index: 0 },
          { level: 0, index: 2 },
        ],
      ],
    };
    assert.deepEqual(planNodeIds(plan), [
      { level: 1, index: 0 },
      { level: 0, index: 2 },
    ]);
  });

  void it('plans O(log n) perfect nodes matching the verifier, up to 2^53 − 1', () => {
    const dummy = new Uint8Array(32);
    const cases = fc
      .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
      .chain((size) => fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.constant(size)));
    fc.assert(
      fc.property(cases, ([index, size]) => {
        const plan = planInclusion(index, size);
        const ids = planNodeIds(plan);
        assert.ok(ids.length <= 2 * Math.log2(size) + 2, `${ids.length} nodes`);
        for (const { level, index: i } of ids) assert.ok((i + 1) * 2 ** level <= size, 'node is complete');
        // The independent RFC 9162 verifier accepts exactly this many hashes.
        const n = plan.elements.length;
        rootFromInclusionProof(index, size, dummy, Array<Uint8Array>(n).fill(dummy));
        assert.throws(
          () => rootFromInclusionProof(index, size, dummy, Array<Uint8Array>(n + 1).fill(dummy)),
          ProofSizeError,
        );
      }),
      { numRuns: 300 },
    );
  });

  void it('plans consistency proofs of the length the verifier wants, up to 2^53 − 1', () => {
    const dummy = new Uint8Array(32);
    const cases = fc
      .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
      .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));
    fc.assert(
      fc.property(cases, ([size1, size2]) => {
        const plan = planConsistency(size1, size2);
        assert.ok(planNodeIds(plan).length <= 2 * Math.log2(size2) + 2);
        const proof = Array<Uint8Array>(plan.elements.length).fill(dummy);
        // Right length: the verifier gets as far as comparing roots (equal sizes: equal roots pass).
        const verify = (p: Uint8Array[]) => {
          verifyConsistency(size1, size2, p, dummy, dummy);
        };
        if (size1 === size2) verify(proof);
        else
          assert.throws(() => {
            verify(proof);
          }, RootMismatchError);
        assert.throws(() => {
          verify([...proof, dummy]);
        }, ProofSizeError);
      }),
      { numRuns: 300 },
    );
  });
});
